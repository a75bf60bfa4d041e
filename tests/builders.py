"""Small builders for purpose-made guides in tests, in the content-file format."""

import copy


def guide_data(
    slug="tiny", causes=2, facets=1, symptoms_per_cause=1, faq=2, published=True, questions=(), efficacy=None
):
    """Return content-file data for a guide whose size is given by the arguments.

    Cause ``n`` is fixed by step ``fix-n``. Without ``efficacy`` the link is written as a plain
    list of slugs, as files did before efficacies existed (it loads as "sometimes"); with it,
    as the mapping ``{fix-n: efficacy}``.
    """
    fix_steps = [
        {
            "slug": f"fix-{n}",
            "title": f"Fix number {n}",
            "minutes": 1 + n,
            "instructions": f"Do thing {n}.",
            "reviewed": "2026-01-01",
        }
        for n in range(causes)
    ]
    return {
        "slug": slug,
        "title": f"Guide {slug}",
        "summary": f"Summary of {slug}.",
        "published": published,
        "introduction": "Intro.",
        "conclusion": "The end.",
        "causes": [
            {
                "slug": f"cause-{n}",
                "title": f"Cause {n}",
                "summary": f"Cause {n} summary.",
                "commonness": "common",
                "reviewed": f"2026-01-0{1 + n % 9}",
                "explanation": f"Explanation {n}.",
                "facets": [{"slug": f"facet-{m}", "title": f"Facet {m}", "explanation": "F."} for m in range(facets)],
                "fixes": [f"fix-{n}"] if efficacy is None else {f"fix-{n}": efficacy},
                "related": [f"cause-{(n + 1) % causes}"] if causes > 1 else [],
            }
            for n in range(causes)
        ],
        "symptoms": [
            {"slug": f"symptom-{n}-{m}", "title": f"Symptom {n}.{m}", "description": "S.", "causes": [f"cause-{n}"]}
            for n in range(causes)
            for m in range(symptoms_per_cause)
        ],
        "fix_steps": fix_steps,
        "faq": [{"slug": f"question-{n}", "question": f"Question {n}?", "answer": f"Answer {n}."} for n in range(faq)],
        "checklist": [s["slug"] for s in fix_steps],
        "questions": copy.deepcopy(list(questions)),
    }
