"""Durations as people say them: "about a minute", "about 10 minutes", "about an hour", "about a day".

Never "about 1440 min": a day is a day.
"""

HOUR = 60
DAY = 24 * HOUR


def in_words(minutes: float) -> str:
    """Roughly how long something takes, rounded the way a person would round it.

    Up to ten minutes to the minute; then to five minutes ("about 15 minutes", not "about 13").
    """
    if minutes < 1.5:
        return "about a minute"
    if minutes < 10:
        return f"about {round(minutes)} minutes"
    if minutes < 50:
        return f"about {5 * round(minutes / 5)} minutes"
    if minutes < 1.5 * HOUR:
        return "about an hour"
    if minutes < 20 * HOUR:
        return f"about {round(minutes / HOUR)} hours"
    if minutes < 1.5 * DAY:
        return "about a day"
    return f"about {round(minutes / DAY)} days"


def wait_words(minutes: float) -> str:
    """How long to wait before trying again, exact enough to plan by: "24 hours", "3 days"."""
    if minutes < 1.5:
        return "a minute"
    if minutes < HOUR:
        return f"{round(minutes)} minutes"
    if minutes < 2 * DAY:
        hours = round(minutes / HOUR)
        return "an hour" if hours == 1 else f"{hours} hours"
    return f"{round(minutes / DAY)} days"
