"""How many screens a visitor still has ahead of them, as a range that holds for most visitors.

A placeholder until the range is measured against simulated visitors: the plan's expected
number of screens, rounded up, as a range of one.
"""

from __future__ import annotations

import math

__all__ = ["span_of"]


def span_of(decision, model) -> tuple[int, int]:
    """(low, high): the screens still to come, this one included, for most visitors in this state."""
    more = max(math.ceil(decision.remaining - 1e-9), 1)
    return more, more
