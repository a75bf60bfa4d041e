"""Other objects' links to an object: what deleting it takes with it, and what a restore must not delete.

An answer effect belongs to its answer, a symptom's list of causes to the symptom, a cause's list of
related causes to that cause. Deleting an object deletes these with it; recovering it brings them back;
restoring an object never deletes a part of it that one of these still names.
"""

import reversion
from reversion.revisions import _get_options  # reversion's follow rules


def links_to(obj) -> list:
    """Other objects' links to `obj`: their many-to-many entries naming it, and the rows joining it to another.

    An answer effect belongs to its answer, a symptom's list of causes to the symptom: restoring `obj`
    leaves them as they are. Deleting `obj` deletes them with it, so recovering it brings them back.
    """
    own_parts = _get_options(type(obj)).follow
    found = []
    for relation in obj._meta.related_objects:
        name = relation.get_accessor_name()
        if name in own_parts or not reversion.is_registered(relation.related_model):
            continue
        if (relation.many_to_many and relation.through._meta.auto_created) or joins_two(relation.related_model):
            found += getattr(obj, name).all()
    return found


def joins_two(model) -> bool:
    """A row that joins two versioned objects (an answer effect, a cause's fix step), with no parts of its own."""
    targets = [f for f in model._meta.concrete_fields if f.many_to_one and reversion.is_registered(f.related_model)]
    return len(targets) >= 2 and not _get_options(model).follow


def named_by_others(added: list) -> list:
    """The parts added since that other objects link to (an answer speaks about a new facet), with their own parts.

    Deleting them would delete or unlink what belongs to those others: they stay, and the page says so.
    """
    kept = [obj for obj in added if links_to(obj)]
    grew = bool(kept)
    while grew:
        held = [obj for obj in added if obj not in kept and any(_holds(k, obj) for k in kept)]
        kept += held
        grew = bool(held)
    return kept


def _holds(owner, part) -> bool:
    return any(
        f.many_to_one and isinstance(owner, f.related_model) and getattr(part, f.attname) == owner.pk
        for f in part._meta.concrete_fields
    )
