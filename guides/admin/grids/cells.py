"""One grid cell's HTML: a named group of radio buttons, each label wrapping its button, the chosen word checked.

Built here rather than in a template: a big guide's page holds some 900 cells of five buttons each,
which Django's template engine takes about a second to render, this a few milliseconds. Every text
that comes from content is escaped; the words' own parts are built once.
"""

from functools import cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FACET_NOTE = '<p class="grid-note">Also says something about a facet of it: see the question\'s page.</p>'


@cache
def _buttons(words: tuple) -> tuple[tuple[str, str, str], ...]:
    """Per word: the markup before the field name, between it and "checked", and after."""
    parts = []
    for word in words:
        none = "" if word.value else " grid-choice-none"
        shown = escape(word.label)
        if not word.value:  # a dash on screen, a name for screen readers
            shown = (
                f'<span aria-hidden="true">{shown}</span><span class="grid-hidden-text">{escape(word.spoken)}</span>'
            )

        before = f'<label class="grid-choice{none}" title="{escape(word.hint)}"><input type="radio" name="'
        parts.append((word.value, before, f'" value="{escape(word.value)}"', f">{shown}</label>"))
    return tuple(parts)


def cell_html(name: str, value: str, label: str, words: tuple, about_facets: bool = False) -> SafeString:
    """A cell whose field is `name`, `value` checked (a blank cell: ""), named `label` for screen readers."""
    buttons = "".join(
        f"{before}{name}{middle}{' checked' if word_value == value else ''}{after}"
        for word_value, before, middle, after in _buttons(words)
    )
    css = "grid-cell grid-cell-set" if value else "grid-cell"
    note = FACET_NOTE if about_facets else ""
    group = f'<div class="grid-choices" role="radiogroup" aria-label="{escape(label)}">{buttons}</div>'
    return mark_safe(f'<td class="{css}">{group}{note}</td>')  # every text from content is escaped above
