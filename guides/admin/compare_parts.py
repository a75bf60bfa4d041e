"""Compare shows what changed in an object's parts, in words: “Update WhatsApp”: efficacy Often → Rarely.

reversion-compare lists a changed part by its name only, twice (“Update” → “Update”): an efficacy or
strength change looked like nothing. Here each part is named by what it links to, with the fields that
differ, and the parts of a part (an answer's effects, in its question's Compare) are compared too.
"""

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from reversion.revisions import _get_options  # reversion's follow rules

from guides.admin.change_words import field_changes, part_name, shown_fields, value_words


class ComparePartsMixin:
    """For a CompareVersionAdmin: the parts' differences (reverse foreign keys it follows), field by field."""

    def compare_ManyToOneRel(self, obj_compare):
        old, new = obj_compare.get_reverse_foreign_key()
        lines = _compare_parts(old.versions, new.versions, type(obj_compare.obj))
        return render_to_string("reversion-compare/compare_generic_many_to_many.html", {"change_info": lines})

    def compare(self, obj, version1, version2):
        """Add the parts whose own parts changed (a question's answer whose effect changed): reversion-compare
        sees the answer unchanged and leaves it out.
        """
        result = super().compare(obj, version1, version2)
        shown = [entry["field"] for entry in result.diff]
        for name in _get_options(type(obj)).follow:
            relation = next(r for r in obj._meta.related_objects if r.get_accessor_name() == name)
            if relation in shown:
                continue
            lines = _compare_parts(_parts(version1, name), _parts(version2, name), type(obj))
            if lines["changed_items"] or lines["added_items"] or lines["removed_items"]:
                html = render_to_string("reversion-compare/compare_generic_many_to_many.html", {"change_info": lines})
                result.diff.append({"field": relation, "is_related": True, "follow": True, "diff": html})
        return result


def _compare_parts(old: dict, new: dict, owner_model) -> dict:
    """reversion-compare's change_info, in words: changed pairs, added, removed and unchanged parts."""
    info = {"changed_items": [], "added_items": [], "removed_items": [], "same_items": []}
    for object_id in sorted(set(old) | set(new), key=lambda i: (len(i), i)):
        before, after = old.get(object_id), new.get(object_id)
        if before is None or after is None:
            kind, version = ("added_items", after) if before is None else ("removed_items", before)
            info[kind].append(_described(version._object_version.object, owner_model))
            continue
        was, now = before._object_version.object, after._object_version.object
        name = f"“{part_name(now, owner_model)}”"
        changes = field_changes(was, now)
        if changes:
            was_words = "; ".join(f"{f} {a}" for f, a, _ in changes)
            info["changed_items"].append((f"{name}: {was_words}", "; ".join(f"{f} {b}" for f, _, b in changes)))
        nested = _nested_changes(before, after)
        info["changed_items"] += [(f"{name}, {a}", b) for a, b in nested]
        if not changes and not nested:
            info["same_items"].append(name)
    return info


def _described(obj, owner_model) -> str:
    """A part added or removed: its name and its words (“Update WhatsApp”, efficacy Often)."""
    chosen = [f for f in shown_fields(type(obj)) if f.choices]
    words = [f"{f.verbose_name} {value_words(f, getattr(obj, f.attname))}" for f in chosen]
    return ", ".join([f"“{part_name(obj, owner_model)}”", *words])


def _nested_changes(before, after) -> list[tuple[str, str]]:
    """The differences between the parts of two versions of one part (an answer's effects), as pairs of lines."""
    pairs = []
    for name in _get_options(after._model).follow:
        info = _compare_parts(_parts(before, name), _parts(after, name), after._model)
        pairs += info["changed_items"]
        pairs += [(f"{line} (not there then)", "added") for line in info["added_items"]]
        pairs += [(line, "removed") for line in info["removed_items"]]
    return pairs


def _parts(version, name: str) -> dict:
    """The versions of `version`'s parts by `name` (a reverse foreign key) saved in the same revision."""
    relation = next(r for r in version._model._meta.related_objects if r.get_accessor_name() == name)
    fk = relation.field.attname
    saved = version.revision.version_set.filter(
        content_type=ContentType.objects.get_for_model(relation.related_model), db=version.db
    )
    return {v.object_id: v for v in saved if str(getattr(v._object_version.object, fk)) == version.object_id}
