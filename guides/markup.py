"""Render staff-written Markdown to HTML that is safe to put on a page.

Markdown lets raw HTML through, so every rendering passes through nh3 with an
explicit allow-list: a `<script>`, an `onclick=` or a `javascript:` link typed
into any content field never reaches a visitor.

Python-Markdown scans from every `[` (and from the `(` after `]`) to the bracket that
closes it, or to the end of the paragraph when none does: 5,000 `[` in a row took 18 s,
and the admin preview would hold a worker until gunicorn killed it. Text where that
scanning would be long has those brackets swapped for stand-ins that Markdown reads as
plain letters and that are swapped back in the HTML, so it renders as it would have,
only in linear time. Text over MAX_CHARS is shown as plain text: no field needs that much.
"""

import re
from html import escape

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

# The longest Markdown field of the bundled guide is under 1,000 characters.
MAX_CHARS = 10_000
# Brackets nested deeper than this, or this many that nothing closes, are not a guide's writing.
MAX_NESTING = 16
MAX_UNCLOSED = 20
# Unicode noncharacters: they never stand for anything in text a person wrote.
_STAND_INS = {"[": "\ufdd0", "]": "\ufdd1", "(": "\ufdd2", ")": "\ufdd3", "<": "\ufdd4", ">": "\ufdd5"}
# A "<" that cannot start a tag, and a ">" past MAX_NESTING quote levels, are text: Markdown escapes them.
_BACK = str.maketrans({**{s: c for c, s in _STAND_INS.items()}, _STAND_INS["<"]: "&lt;", _STAND_INS[">"]: "&gt;"})
# A "<" followed by another "<" before any ">": neither a tag nor an autolink.
_NOT_A_TAG = re.compile(r"<(?=[^>]*?<)|<(?=[^>]*\Z)")
_DEEP_QUOTE = re.compile(rf"^((?:[ ]*>){{{MAX_NESTING}}})((?:[ ]*>)+)", re.MULTILINE)
_CLEAR = str.maketrans(dict.fromkeys(_STAND_INS.values(), "\ufffd"))


def with_lf_line_ends(text: str) -> str:
    """The text with LF line ends only: browsers send a textarea's as CR LF, and a file or a diff should not care.

    A lone CR is a line end too (browsers send it as CR LF), so a second pass changes nothing: the text
    saved, exported, loaded and saved again stays byte for byte the same.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def render_markdown(text: str) -> str:
    """Return sanitised HTML for a Markdown text; the empty string for none."""
    if not text or not text.strip():
        return ""
    return nh3.clean(
        _unsanitised_html(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


def _unsanitised_html(text: str) -> str:
    """Markdown's HTML for the text, before the allow-list: what was typed, tags and all."""
    if len(text) > MAX_CHARS:
        return "".join(f"<p>{escape(part)}</p>" for part in text.split("\n\n") if part.strip())
    extensions = ["sane_lists", TableExtension(use_align_attribute=True)]  # align=, not a style the CSP blocks
    defused = _defused(text)
    html = markdown.markdown(defused, extensions=extensions, output_format="html")
    return html.translate(_BACK) if defused is not text else html


# What the allow-list takes out, said the way an editor would fix it; the key is the tag it drops.
_DROPPED = {
    "h1": "Headings made with # or ## show as plain text: start a heading with ### instead.",
    "h2": "Headings made with # or ## show as plain text: start a heading with ### instead.",
    "h5": "Headings made with ##### or more show as plain text: use ### or ####.",
    "h6": "Headings made with ##### or more show as plain text: use ### or ####.",
    "img": "Pictures are not shown: describe what to look for in words.",
}
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")
_HREF = re.compile(r"""href\s*=\s*["']?\s*([a-zA-Z][a-zA-Z0-9+.-]*):""")


def dropped(text: str) -> list[str]:
    """What of the text visitors will not see as typed, in words; empty when everything shows.

    The preview shows the sanitised result, where a dropped heading just looks like a line of text:
    without this, an editor would not know why their heading is gone.
    """
    if not text or not text.strip():
        return []
    html = _unsanitised_html(text)
    found = []
    for tag in dict.fromkeys(t.lower() for t in _TAG.findall(html)):
        if tag not in ALLOWED_TAGS:
            found.append(_DROPPED.get(tag, f"HTML tags such as <{tag}> are taken out: write it in Markdown."))
    if any(scheme.lower() not in ALLOWED_URL_SCHEMES for scheme in _HREF.findall(html)):
        found.append("A link that does not start with https://, http:// or mailto: loses its address.")
    return list(dict.fromkeys(found))


def _defused(text: str) -> str:
    """The text, with brackets that would make Markdown scan far swapped for stand-ins; else unchanged.

    Stand-ins go in for every bracket nothing closes (Markdown would find no link there
    anyway), for "<" that cannot start a tag, for pairs and quote levels nested deeper than
    MAX_NESTING, but only in text with many of those: a stray "(" in a link title can
    matter, and a guide's text never has dozens.
    """
    chars = list(text)
    swaps = []
    for opener, closer in (("[", "]"), ("(", ")")):
        open_at, closing = [], {}
        for index, char in enumerate(chars):
            if char == opener:
                open_at.append(index)
            elif char == closer and open_at:
                closing[open_at.pop()] = index
        swaps += open_at
        depth = 0
        for start, end in sorted([*closing.items(), *((end, None) for end in closing.values())]):
            if end is None:
                depth -= 1
                continue
            depth += 1
            if depth > MAX_NESTING:
                swaps += [start, end]
    swaps += [match.start() for match in _NOT_A_TAG.finditer(text)]
    for match in _DEEP_QUOTE.finditer(text):
        swaps += [index for index in range(*match.span(2)) if text[index] == ">"]
    if len(swaps) <= MAX_UNCLOSED:
        return text
    chars = list(text.translate(_CLEAR))
    for index in swaps:
        chars[index] = _STAND_INS[chars[index]]
    return "".join(chars)
