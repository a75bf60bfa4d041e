"""One thing wrong with a guide's content, as the checks report it to the staff who write guides."""

from dataclasses import dataclass

from django.db import models

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing to fix: ``level`` is "error" or "warning"; ``obj`` is the object to edit, or None."""

    level: str
    message: str
    obj: models.Model | None = None
    kind: str = ""
