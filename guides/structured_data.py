"""schema.org data for search engines: the FAQ as FAQPage, the checklist as HowTo."""

import json

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
                    "acceptedAnswer": {"@type": "Answer", "text": strip_tags(entry.answer_html).strip()},
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
                    "text": strip_tags(item.fix_step.instructions_html).strip(),
                    "url": f"{url}#step-{position}",
                }
                for position, item in enumerate(checklist, start=1)
            ],
        },
    ]
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_ESCAPES))
