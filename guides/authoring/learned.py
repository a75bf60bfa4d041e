"""A guide's learned numbers as a file of their own, `<slug>.learned.yaml` beside its content file.

Learned numbers are not content: no staff member wrote them, and loading them must never touch what
staff did write. So they live in their own file, which `export_guide --learned` writes and
`load_guides --learned` reads (and only then: the content loader skips `*.learned.yaml`). A reviewer
sees them in a diff; loading replaces the guide's learned numbers and its `learned_at`, nothing else.

Values are written rounded (4 decimals, visitors to 1), so export, load and export again give the
same bytes. Causes come in the guide's order, links in their cause's order, then by step.
"""

from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction

from guides import content_cache
from guides.authoring.export import dump_content
from guides.authoring.reading import ContentError, Source, read_yaml
from guides.models import CauseFix, Guide, LearnedNumber, Numbers

SUFFIX = ".learned.yaml"
_NUMBER_KEYS = ("value", "low", "high")


def learned_path(content_path: Path) -> Path:
    """Where the learned numbers of the guide in this content file live: `x.yaml` → `x.learned.yaml`."""
    return content_path.with_name(content_path.stem + SUFFIX)


def is_learned_file(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def export_learned(guide: Guide) -> str:
    """The guide's learned numbers as the text of its learned file."""
    rows = (
        LearnedNumber.objects.filter(guide=guide)
        .select_related("cause", "fix_step")
        .order_by("cause__order", "cause_id", "fix_step__slug")
    )
    causes, links = [], []
    for row in rows:
        item = {"cause": row.cause.slug}
        if row.fix_step_id:
            item["step"] = row.fix_step.slug
        item |= {key: round(getattr(row, key), 4) for key in _NUMBER_KEYS}
        item |= {"visitors": round(row.visitors, 1), "staff_word": row.staff_word, "learned_word": row.learned_word}
        (links if row.fix_step_id else causes).append(item)
    learned_at = guide.learned_at.astimezone(UTC).replace(microsecond=0).isoformat() if guide.learned_at else ""
    return dump_content({"guide": guide.slug, "learned_at": learned_at, "causes": causes, "links": links})


def read_learned_file(path: Path) -> tuple[dict, Source]:
    """The file's data, its shape checked: any problem raises ContentError naming the line."""
    data, source = read_yaml(path)
    problems = []
    if not isinstance(data, dict) or not isinstance(data.get("guide"), str):
        raise ContentError(source.locate((), "should start with `guide: <slug>`, the guide these numbers are of"))
    if isinstance(data.get("learned_at"), datetime):  # written without quotes: YAML read it as a time
        data["learned_at"] = data["learned_at"].isoformat()
    if not _is_timestamp(data.get("learned_at", "")):
        problems.append(source.locate(("learned_at",), "should be a date and time such as 2026-12-01T04:00:00+00:00"))
    for section, keys in (("causes", ("cause",)), ("links", ("cause", "step"))):
        items = data.get(section, [])
        if not isinstance(items, list):
            problems.append(source.locate((section,), "should be a list"))
            continue
        for index, item in enumerate(items):
            problems += _item_problems(item, keys, source, (section, index))
    if problems:
        raise ContentError(problems)
    return data, source


def _is_timestamp(text) -> bool:
    """A time with its zone, or "" (never learned)."""
    if text == "":
        return True
    try:
        return isinstance(text, str) and datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _item_problems(item, keys, source: Source, path: tuple) -> list[str]:
    if not isinstance(item, dict):
        return [source.locate(path, "should be a mapping")]
    problems = [source.locate(path, f"needs `{key}`, a slug") for key in keys if not isinstance(item.get(key), str)]
    for key in (*_NUMBER_KEYS, "visitors"):
        number = item.get(key)
        upper = float("inf") if key == "visitors" else 1.0
        if isinstance(number, bool) or not isinstance(number, int | float) or not 0 <= number <= upper:
            problems.append(source.locate((*path, key), "should be a number from 0 to 1" if upper == 1 else "a count"))
    for key in ("staff_word", "learned_word"):
        if not isinstance(item.get(key), str):
            problems.append(source.locate((*path, key), "should be a word such as often or very_common"))
    return problems


def load_learned(data: dict, source: Source) -> int:
    """Replace the guide's learned numbers with the file's; returns how many. Staff's content is never touched."""
    guide = Guide.objects.filter(slug=data["guide"]).first()
    if guide is None:
        raise ContentError(source.locate(("guide",), f"no guide {data['guide']!r} is loaded; load its content first"))
    causes = dict(guide.causes.values_list("slug", "pk"))
    links = {
        (cause, step): (cause_pk, step_pk)
        for cause, step, cause_pk, step_pk in CauseFix.objects.filter(cause__guide=guide).values_list(
            "cause__slug", "fix_step__slug", "cause_id", "fix_step_id"
        )
    }
    rows, problems = [], []
    for index, item in enumerate(data.get("causes", [])):
        if item["cause"] not in causes:
            problems.append(source.locate(("causes", index, "cause"), f"{guide.slug} has no cause {item['cause']!r}"))
        else:
            rows.append(_row(guide, item, causes[item["cause"]], None))
    for index, item in enumerate(data.get("links", [])):
        link = links.get((item["cause"], item["step"]))
        if link is None:
            message = f"{item['step']!r} is not a fix step of {item['cause']!r} in {guide.slug}"
            problems.append(source.locate(("links", index), message))
        else:
            rows.append(_row(guide, item, *link))
    if problems:
        raise ContentError(problems)
    learned_at = datetime.fromisoformat(data["learned_at"]) if data.get("learned_at") else None
    with transaction.atomic():
        LearnedNumber.objects.filter(guide=guide).delete()
        LearnedNumber.objects.bulk_create(rows)
        Guide.objects.filter(pk=guide.pk).update(learned_at=learned_at)
    if guide.numbers == Numbers.LEARNED:
        content_cache.content_changed()
    return len(rows)


def _row(guide: Guide, item: dict, cause_pk: int, step_pk: int | None) -> LearnedNumber:
    return LearnedNumber(
        guide=guide,
        cause_id=cause_pk,
        fix_step_id=step_pk,
        value=item["value"],
        low=item["low"],
        high=item["high"],
        visitors=item["visitors"],
        staff_word=item["staff_word"],
        learned_word=item["learned_word"],
    )
