"""Stored answers for learning tests: verified StepOutcomes as the troubleshooter writes them, many at once."""

import secrets
from urllib.parse import urlencode

from guides.models import StepOutcome


def add_answers(guide, step, outcome, count, *, evidence=(), source=None, token=True, long_shot=False) -> None:
    """`count` answers about `step` (or a cause, for an explanation), each from its own address unless `source` says.

    `token=False` stores them as answers that never passed the signed-token check (older records).
    """
    StepOutcome.objects.bulk_create(
        StepOutcome(
            guide=guide,
            step_slug=step,
            outcome=outcome,
            token=secrets.token_hex(16) if token else None,
            state=urlencode(list(evidence)),
            source=source if source is not None else secrets.token_hex(8),
            long_shot=long_shot,
        )
        for _ in range(count)
    )
