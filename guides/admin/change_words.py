"""What a restore or a compare changes, said in words: “the efficacy of “Update WhatsApp” goes back to Often”.

An editor decides whether to press Save on a restore, or reads a compare, by what changes for visitors:
a field's value as its form shows it (the word, not the code behind it), and a part named by what it
links to (a cause's fix step by the step, an answer's effect by the cause), not by an id.
"""

from django.db import models
from django.utils.formats import date_format

SHORT = 80  # characters of a text quoted in a sentence
UNSHOWN = {"id", "updated_at"}  # fields an editor never sets


def shown_fields(model) -> list:
    """The fields an editor sets on the model's form, in the form's order."""
    return [f for f in model._meta.concrete_fields if f.editable and f.name not in UNSHOWN and not f.primary_key]


def value_words(field, value) -> str:
    """A field's value as the editor knows it: the choice's word, the linked object's name, a short quote."""
    if value is None or value == "":
        return "empty"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "ticked" if value else "not ticked"
    if field.is_relation:
        target = field.related_model._base_manager.filter(pk=value).first()
        return f"“{target}”" if target is not None else "something deleted since"
    if isinstance(field, models.DateField):
        return date_format(value)
    text = " ".join(str(value).split())
    return f"“{text if len(text) <= SHORT else text[: SHORT - 1].rstrip() + '…'}”"


def part_name(obj, owner_model=None) -> str:
    """A part named by what it links to besides its owner (a cause's fix step: the step), else by itself."""
    links = [
        f
        for f in obj._meta.concrete_fields
        if f.many_to_one and f.related_model is not owner_model and getattr(obj, f.attname) is not None
    ]
    if owner_model is not None and links:
        names = []
        for f in links:
            target = f.related_model._base_manager.filter(pk=getattr(obj, f.attname)).first()
            names.append(str(target) if target is not None else "something deleted since")
        return " / ".join(dict.fromkeys(names))
    return str(obj)


def field_changes(old, new) -> list[tuple[str, str, str]]:
    """(field, value in `old`, value in `new`) for each field an editor sets that differs between the two."""
    return [
        (str(f.verbose_name), value_words(f, getattr(old, f.attname)), value_words(f, getattr(new, f.attname)))
        for f in shown_fields(type(new))
        if getattr(old, f.attname) != getattr(new, f.attname)
    ]


def going_back(now, then, owner_model=None) -> list[str]:
    """Sentences for putting `now` back as `then`: “the summary goes back to “…””, for a part “… of “Update””."""
    of = f" of “{part_name(now, owner_model)}”" if owner_model is not None else ""
    return [f"the {name}{of} goes back to {old}" for name, _, old in field_changes(now, then)]


def links_going_back(now, saved_m2m: dict) -> list[str]:
    """Sentences for the object's own many-to-many lists (its related causes) that a restore puts back."""
    sentences = []
    for name, ids in (saved_m2m or {}).items():
        field = now._meta.get_field(name)
        current = set(map(str, getattr(now, name).values_list("pk", flat=True)))
        if current != set(map(str, ids)):
            names = [f"“{t}”" for t in field.related_model._base_manager.filter(pk__in=ids)]
            sentences.append(f"its {list_name(field)} go back to {', '.join(names) if names else 'none'}")
    return sentences


def list_name(field) -> str:
    """A many-to-many list named so it reads: “related causes”, not “related”."""
    plural = str(field.related_model._meta.verbose_name_plural)
    name = str(field.verbose_name)
    return name if name.endswith(plural) else f"{name} {plural}"
