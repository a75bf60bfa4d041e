"""Nothing of one guide points into another guide, however it is saved.

A cause listing another guide's fix step puts that guide's instructions on this guide's pages,
and the troubleshooter quietly drops it (its snapshot holds one guide), so a cause loses its best
fix without anyone noticing. The rule is checked in three places that share the code below:

- a model's ``clean()`` (forms, the loader's ``full_clean``) refuses a foreign-key link into
  another guide, with the guide's name, before anything is written;
- a ``pre_save`` guard refuses the same for a plain ``save()`` (the shell, a command);
- an ``m2m_changed`` guard refuses ``.add()`` and ``.set()`` of another guide's objects, both
  ways round (``symptom.causes.add(c)`` and ``c.symptoms.add(symptom)``).

Moving an object to another guide (a cause's guide changed on its page) is refused while it has
links, which would then point back into the guide it came from.

The database cannot hold this rule by itself: the links are join rows (``CauseFix``, answer
effects, the many-to-many tables) without a guide column of their own, and a CHECK constraint
cannot look into another table. ``bulk_create``, ``update()`` and rows written straight into a
many-to-many table (``Symptom.causes.through.objects.create``) send no signal: the loader checks its
bulk writes with ``refuse_foreign``; ``links_into_other_guides`` lists whatever still gets past (a
database from before these guards), and ``export_guide`` refuses a guide that has any.
"""

import operator
from functools import reduce

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_init, pre_save

# The first of these fields a model has leads towards its guide: an answer effect belongs to its
# answer's question's guide, even though it also names a cause.
OWNERS = ("guide", "question", "answer", "cause")
# The fields of each model that must point to objects of the model's own guide.
LINKS = {
    "Cause": ("related", "fix_steps"),
    "Symptom": ("causes", "settles"),
    "CauseFix": ("fix_step",),
    "ChecklistItem": ("fix_step",),
    "Question": ("asked_after", "not_after_answers", "not_after_steps"),
    "Answer": ("skips",),
    "AnswerEffect": ("cause", "facet"),
}
# Objects that can be moved to another owner, by the field that says whose they are: moving one into
# another guide would leave its links pointing back into the guide it came from.
MOVABLE = {
    "Cause": "guide",
    "Symptom": "guide",
    "FixStep": "guide",
    "Question": "guide",
    "Facet": "cause",
    "Answer": "question",
}
NEW_GUIDE = 0  # the guide of an object whose guide is not saved yet: nothing belongs to it so far


def model(name: str):
    return apps.get_model("guides", name)


def owner_field(model_class) -> str | None:
    names = {f.name for f in model_class._meta.concrete_fields if f.many_to_one}
    return next((name for name in OWNERS if name in names), None)


def guide_path(model_class) -> str:
    """The lookup from a model to its guide: ``guide``, ``question__guide``, ``answer__question__guide``…"""
    parts = []
    while model_class._meta.model_name != "guide":
        name = owner_field(model_class)
        parts.append(name)
        model_class = model_class._meta.get_field(name).related_model
    return "__".join(parts) or "pk"


def guide_id_of(obj) -> int | None:
    """The id of the guide ``obj`` belongs to; NEW_GUIDE for an unsaved guide, None when it has none yet.

    Parents the object holds already (a form's, an inline's unsaved parent) are followed first: on the
    add page of a cause, its fix-step rows belong to the cause being added, and through it to its guide.
    """
    meta = obj._meta
    if meta.model_name == "guide":
        return obj.pk or NEW_GUIDE
    name = owner_field(type(obj))
    field = meta.get_field(name)
    if field.is_cached(obj):
        parent = getattr(obj, name)
        return guide_id_of(parent) if parent is not None else None
    parent_id = getattr(obj, field.attname)
    if parent_id is None:
        return None
    if name == "guide":
        return parent_id
    path = guide_path(field.related_model)
    return field.related_model._base_manager.filter(pk=parent_id).values_list(path, flat=True).first()


def label(obj) -> str:
    """An object as an editor knows it: an answer with its question (“Is there a notice? → Yes”)."""
    if obj._meta.model_name == "answer":
        return f"{obj.question.text} → {obj.text}"
    return str(obj)


def describe(target, guide) -> str:
    """“Restart your phone” is a fix step of the guide “Why is TikTok not working?”."""
    kind = target._meta.verbose_name
    return f"“{label(target)}” is {'an' if kind[0] in 'aeiou' else 'a'} {kind} of the guide “{guide}”"


def foreign(guide_id: int | None, target_model, pks) -> list[str]:
    """Words for each of these objects that belongs to another guide than ``guide_id`` (one query)."""
    pks = [pk for pk in pks if pk is not None]
    if guide_id is None or not pks:
        return []
    path = guide_path(target_model)
    related = {path.removesuffix("__guide")} if "__" in path else set()
    if target_model._meta.model_name == "answer":
        related.add("question")
    rows = target_model._base_manager.filter(pk__in=pks).exclude(**{f"{path}_id" if path != "pk" else "pk": guide_id})
    rows = rows.select_related(*related) if related else rows
    guides = model("Guide")._base_manager.in_bulk({_path_value(row, path) for row in rows})
    return [describe(row, guides[_path_value(row, path)]) for row in rows]


def _path_value(row, path: str) -> int:
    for part in path.split("__")[:-1]:
        row = getattr(row, part)
    return getattr(row, f"{path.split('__')[-1]}_id")


def link_errors(obj) -> dict[str, list[str]]:
    """The foreign-key links of ``obj`` that point into another guide, by field, each naming that guide."""
    errors = {}
    own = -1  # not looked up yet
    for name in LINKS.get(type(obj).__name__, ()):
        field = obj._meta.get_field(name)
        if field.many_to_many:
            continue  # checked as they are added (the signal) and by the form, whose values are not set yet
        target_id = getattr(obj, field.attname)
        if target_id is None:
            continue
        own = guide_id_of(obj) if own == -1 else own
        if field.is_cached(obj) and own is not None:
            target_guide = guide_id_of(getattr(obj, name))
            if target_guide == own:
                continue
        words = foreign(own, field.related_model, [target_id])
        if words:
            errors[name] = [f"{words[0]}. Pick one of this guide."]
    facet_elsewhere = type(obj).__name__ == "AnswerEffect" and obj.facet_id and obj.cause_id and "facet" not in errors
    if facet_elsewhere and obj.facet.cause_id != obj.cause_id:
        errors["facet"] = [f"“{obj.facet.title}” is a facet of another cause. Pick one of {obj.cause}."]
    return errors


def refuse_foreign(objects) -> None:
    """Raise for the first of these unsaved objects with a link into another guide (for bulk writes)."""
    for obj in objects:
        errors = link_errors(obj)
        if errors:
            raise ValidationError(errors)


def _before_save(sender, instance, raw=False, **kwargs):
    errors = link_errors(instance) | move_errors(instance)
    if errors:
        raise ValidationError(errors)


def _remember_owner(sender, instance, **kwargs):
    """Keep the owner an object was read with, to tell a move (without a query, even for a deferred field)."""
    instance._same_guide_owner = instance.__dict__.get(f"{MOVABLE[sender.__name__]}_id")


def move_errors(obj) -> dict[str, list[str]]:
    """Refuse moving an object that has links into another guide: they would point back where it came from."""
    name = MOVABLE.get(type(obj).__name__)
    before = getattr(obj, "_same_guide_owner", None)
    if name is None or obj.pk is None or before is None or before == getattr(obj, f"{name}_id"):
        return {}
    owner = obj._meta.get_field(name).related_model
    old_guide = before if name == "guide" else guide_id_of(owner._base_manager.get(pk=before))
    if old_guide == guide_id_of(obj):
        return {}
    count = links_touching(obj)
    if not count:
        return {}
    guide = model("Guide")._base_manager.get(pk=old_guide)
    return {
        name: [
            f"“{label(obj)}” has {count} link{'s' if count > 1 else ''} to other objects of the guide “{guide}” (fix "
            "steps, symptoms, causes, answers). Moved, they would point back into that guide: remove them first."
        ]
    }


def links_touching(obj) -> int:
    """How many links start or end at this object or at a part of it (a cause's facets, a question's answers)."""
    total = 0
    for name, fields in LINKS.items():
        owner = model(name)
        for field_name in fields:
            field = owner._meta.get_field(field_name)
            if not field.many_to_many:
                ends = [("", owner), (field_name, field.related_model)]
                table = owner
            elif field.remote_field.through._meta.auto_created:
                table = field.remote_field.through
                ends = [(field.m2m_field_name(), owner), (field.m2m_reverse_field_name(), field.related_model)]
            else:
                continue  # a cause's fix steps: the CauseFix rows are counted as such
            lookups = [_lookup(prefix, end, type(obj)) for prefix, end in ends]
            query = [Q(**{lookup: obj.pk}) for lookup in lookups if lookup]
            if query:
                total += table._base_manager.filter(reduce(operator.or_, query)).count()
    return total


def _lookup(prefix: str, start, target) -> str | None:
    """The lookup from ``start`` up its owners to ``target``'s pk, after ``prefix``; None when not on the way."""
    parts = [prefix] if prefix else []
    while start is not target:
        name = owner_field(start)
        if name is None:
            return None
        parts.append(name)
        start = start._meta.get_field(name).related_model
    return "__".join([*parts, "pk"])


def _before_add(sender, instance, action, model, pk_set, **kwargs):
    """Both sides of a link share one guide, so the check reads the same from either end."""
    if action != "pre_add" or not pk_set:
        return
    words = foreign(guide_id_of(instance), model, pk_set)
    if words:
        raise ValidationError(
            f"{'; '.join(words)}. A link stays within its own guide: pick one of the guide of “{label(instance)}”."
        )


def m2m_fields():
    for name, fields in LINKS.items():
        for field_name in fields:
            field = model(name)._meta.get_field(field_name)
            if field.many_to_many:
                yield field


def connect() -> None:
    """Guard every content model with links (called once the app's models are ready)."""
    for name in {*LINKS, *MOVABLE}:
        pre_save.connect(_before_save, sender=model(name), dispatch_uid=f"same-guide-{name}")
    for name in MOVABLE:
        post_init.connect(_remember_owner, sender=model(name), dispatch_uid=f"same-guide-owner-{name}")
    for field in m2m_fields():
        through = field.remote_field.through
        m2m_changed.connect(_before_add, sender=through, dispatch_uid=f"same-guide-m2m-{through.__name__}")


def links_into_other_guides(guide, only: set[tuple[str, str]] | None = None) -> list[str]:
    """Every link of this guide's objects into another guide, in words, one query per kind of link.

    ``only`` limits it to these kinds of link, as (model name, field name).

    For what no signal guards (bulk writes, rows written straight into a table, a database from
    before the guards): `export_guide` refuses a guide with any, since `load_guides` would refuse the file.
    """
    found = []
    for name, fields in LINKS.items():
        owner = model(name)
        for field_name in fields:
            field = owner._meta.get_field(field_name)
            if only is not None and (name, field_name) not in only:
                continue
            if field.many_to_many and field.remote_field.through._meta.auto_created:
                rows = _foreign_rows(
                    field.remote_field.through,
                    field.m2m_field_name(),
                    owner,
                    field.m2m_reverse_field_name(),
                    field.related_model,
                    guide.pk,
                )
                found += [f"“{label(a)}” ({a._meta.verbose_name}) links to {describe(b, g)}" for a, b, g in rows]
            elif not field.many_to_many:
                rows = _foreign_rows(owner, None, owner, field_name, field.related_model, guide.pk)
                found += [f"{_owner_words(a)} links to {describe(b, g)}" for a, b, g in rows]
    return found


def _foreign_rows(table, source: str | None, source_model, target: str, target_model, guide_id: int):
    """(source object, target object, target's guide) of the rows of ``table`` that leave the guide."""
    own = guide_path(source_model)
    to_guide = f"{target}__{guide_path(target_model)}"
    prefix = f"{source}__" if source else ""
    rows = (
        table._base_manager.filter(**{f"{prefix}{own}_id": guide_id})
        .exclude(**{f"{target}__isnull": True})
        .exclude(**{f"{to_guide}_id": guide_id})
        .select_related(*([source] if source else []), to_guide)
    )
    return [
        (getattr(row, source) if source else row, getattr(row, target), _guide_at(getattr(row, target))) for row in rows
    ]


def _guide_at(obj):
    for part in guide_path(type(obj)).split("__"):
        obj = getattr(obj, part)
    return obj


def _owner_words(obj) -> str:
    """A link row by the object that owns it: “No internet” (cause), “Is there a notice? → Yes” (answer)."""
    name = owner_field(type(obj))
    owner = obj if name == "guide" else getattr(obj, name)
    return f"“{label(owner)}” ({owner._meta.verbose_name})"
