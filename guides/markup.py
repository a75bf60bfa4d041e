"""Render staff-written Markdown to HTML that is safe to put on a page.

Markdown lets raw HTML through, so every rendering passes through nh3 with an
explicit allow-list: a `<script>`, an `onclick=` or a `javascript:` link typed
into any content field never reaches a visitor.
"""

import markdown
import nh3
from markdown.extensions.tables import TableExtension

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h3", "h4", "hr", "i",
    "kbd", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto"}


def with_lf_line_ends(text: str) -> str:
    """The text with LF line ends only: browsers send a textarea's as CR LF, and a file or a diff should not care."""
    return text.replace("\r\n", "\n")


def render_markdown(text: str) -> str:
    """Return sanitised HTML for a Markdown text; the empty string for none."""
    if not text or not text.strip():
        return ""
    extensions = ["sane_lists", TableExtension(use_align_attribute=True)]  # align=, not a style the CSP blocks
    html = markdown.markdown(text, extensions=extensions, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
