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


def questions_for(causes: int) -> list[dict]:
    """One yes/no question per cause, seen at a glance: "yes" points strongly to it, "no" rules it out."""
    return [
        {
            "slug": f"q-{n}",
            "text": f"Is it cause {n}?",
            "effort": "quick_look",
            "answers": [
                {"slug": "yes", "text": "Yes", "effects": {f"cause-{n}": "strong"}},
                {"slug": "no", "text": "No", "effects": {f"cause-{n}": "rules_out"}},
            ],
        }
        for n in range(causes)
    ]


def troubleshooter_data(slug="walkable", causes=3, **kwargs) -> dict:
    """Content-file data for a guide the troubleshooter can walk from first question to hand-off.

    One yes/no question per cause; each cause is almost always fixed by its own step; cause 0 is
    also lifted by ``wait-a-day``, a wait step of a day, the way a temporary ban only ends with time.
    """
    data = guide_data(slug=slug, causes=causes, efficacy="almost_always", **kwargs)
    data["questions"] = questions_for(causes)
    data["fix_steps"].append(
        {
            "slug": "wait-a-day",
            "title": "Wait a day",
            "kind": "wait",
            "minutes": 24 * 60,
            "instructions": "Stop and try again tomorrow.",
            "reviewed": "2026-01-01",
        }
    )
    data["causes"][0]["fixes"]["wait-a-day"] = "almost_always"
    return data
