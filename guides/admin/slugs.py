"""Slugs made from a title when the editor leaves the slug empty: ASCII, short enough, never a reserved word."""

from django.utils.text import slugify


def slug_from(text: str, max_length: int, reserved=frozenset(), taken=frozenset()) -> str:
    """A slug for ``text``; "-2", "-3"… when reserved or taken. Text with no Latin letters gives "item"."""
    base = slugify(text)[:max_length].strip("-") or "item"
    slug, n = base, 1
    while slug in reserved or slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)].strip("-") + suffix
    return slug
