"""schema.org data for search engines: the FAQ as FAQPage, the checklist as HowTo."""

import json
from html import unescape

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

# The same escapes Django's json_script uses, so content cannot close the <script> element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def article_json_ld(guide, faq, checklist, url: str) -> str:
    data = [
        {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "url": url,
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": entry.question,
                    "acceptedAnswer": {"@type": "Answer", "text": _plain(entry.answer_html)},
                }
                for entry in faq
            ],
        },
        {
            "@context": "https://schema.org",
            "@type": "HowTo",
            "name": f"Troubleshooting checklist: {guide.title}",
            "description": guide.summary,
            "url": f"{url}#checklist",
            "step": [
                {
                    "@type": "HowToStep",
                    "position": position,
                    "name": item.fix_step.title,
                    "text": _plain(item.fix_step.instructions_html),
                    "url": f"{url}#step-{position}",
                }
                for position, item in enumerate(checklist, start=1)
            ],
        },
    ]
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_ESCAPES))


def _plain(html: str) -> str:
    """Text without tags or entities: JSON-LD is read as plain text, so "&gt;" would show as such."""
    return unescape(strip_tags(html)).strip()
