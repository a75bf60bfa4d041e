"""Restoring an object from History: one object and its parts, never the rest of the revision it was saved in.

django-reversion reverts whole revisions; a load saves a whole guide in one. Restoring here reads the
object's version and the versions of its parts (by the `follow` rules in guides.versioning), puts back
only those, and deletes only parts added to the object since. Other objects' links to it are theirs and
stay as they are, except when a deleted object is recovered: deleting records them, recovering puts them
back. It relies on private parts of reversion: two helpers (`_follow_relations_recursive`, `_get_options`),
so it follows the same rules reversion does, and its stack of revisions (`_stack`), to save a record
before a delete inside the page's own revision.
"""

from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import groupby

import reversion
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import _follow_relations_recursive, _get_options, _stack  # reversion's own rules and stack
from reversion.utils import mute_signals
from reversion_compare.admin import CompareVersionAdmin

from guides.admin.change_words import going_back, links_going_back, part_name
from guides.admin.compare_parts import ComparePartsMixin
from guides.admin.links import joins_two, links_to, named_by_others
from guides.admin.recover_list import RECORDED_BEFORE_DELETING, deleted_rows

SAVED_ON = "j F Y, H:i"  # when a restored version was saved: on its page and in the history comment


class VersionHistoryAdmin(ComparePartsMixin, CompareVersionAdmin):
    """History, diff, undo and recovery of deleted objects, one object (and its parts) at a time.

    Restoring a version puts back that object and its parts only. reversion would put back its whole
    revision, and a load saves a whole guide in one revision: one cause's undo would silently undo
    everyone's later edits to the guide. Restoring a revision as a whole is not offered.
    """

    revision_form_template = "admin/guides/revision_form.html"
    recover_form_template = "admin/guides/recover_form.html"
    recover_list_template = "admin/guides/recover_list.html"

    def reversion_register(self, model, **kwargs):
        """Register nothing: guides.versioning does, at start-up, with the parts each version carries."""

    def delete_model(self, request, obj):
        self._record_before_deleting(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._record_before_deleting(request, list(queryset))
        super().delete_queryset(request, queryset)

    def save_related(self, request, form, formsets, change):
        """Record the rows ticked "Delete" on this page (nested ones too) before the formsets delete them.

        Without this, a cause deleted from its guide's page came back from Recover as its last own save
        had it: without the symptoms and other causes' links made since, and without its answer effects.
        """
        ticked = [f.instance for formset in formsets for f in formset.deleted_forms if f.instance.pk is not None]
        if ticked:
            self._record_before_deleting(request, ticked)
        super().save_related(request, form, formsets, change)

    def _record_before_deleting(self, request, objs: list) -> None:
        """Record the objects, their parts and the links to them just before they go, for Recover to bring back.

        The revision is saved at once, even inside the page's own (a list's, a change page's): that one is
        saved after the delete, and reversion leaves out objects gone by then.
        """
        with _revision_saved_now(request.user):
            for obj in objs:
                reversion.add_to_revision(obj)
                for link in links_to(obj):
                    reversion.add_to_revision(link)
            names = ", ".join(f"“{obj}”" for obj in objs[:3]) + (f" and {len(objs) - 3} more" if len(objs) > 3 else "")
            reversion.set_comment(f"{RECORDED_BEFORE_DELETING} {names}.")

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Open only a version of this very object: any other version id is a 404, never someone else's undo."""
        version = get_object_or_404(
            Version.objects.get_for_object_reference(self.model, unquote(object_id)), pk=version_id
        )
        title = {"title": f"Put “{version.object_repr}” back as it was"}
        return super().revision_view(request, object_id, version_id, {**title, **(extra_context or {})})

    def recoverlist_view(self, request, extra_context=None):
        deleted = self._reversion_order_version_queryset(request, Version.objects.get_deleted(self.model))
        rows = deleted_rows(self.model, deleted.select_related("revision__user"))
        return super().recoverlist_view(request, {**(extra_context or {}), "rows": rows})

    def recover_view(self, request, version_id, extra_context=None):
        """Recover only what this page lists: the last version of a deleted object of this kind."""
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        title = {"title": f"Bring back “{version.object_repr}”"}
        return super().recover_view(request, version_id, {**title, **(extra_context or {})})

    def compare_view(self, request, object_id, extra_context=None):
        """Answer a malformed object id with a 404; reversion-compare would crash on it."""
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().compare_view(request, object_id, extra_context)

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        """Show the object as `version` has it (rolled back), and keep that when the editor presses Save.

        Replaces reversion's view, which reverts the version's whole revision.
        """
        # A look must not clear caches or notify anyone: signals fire only when the editor saves.
        quiet = mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
        try:
            with transaction.atomic(using=version.db), quiet if request.method == "GET" else nullcontext():
                restored = restore_version(version)
                context = {**(extra_context or {}), "restored": restored}
                with self.create_revision(request):
                    response = self.changeform_view(request, quote(version.object_id), request.path, context)
                    if request.method == "POST" and response.status_code == 302:
                        # Recorded even when the editor saved the form as shown, which writes nothing itself.
                        reversion.add_to_revision(version.object)
                        reversion.set_comment(f"Restored as saved on {restored.saved_on}.")
                        messages.success(request, _done(version, restored))
                        return response
                if response.status_code != 200:
                    raise RevertError(f"“{version.object_repr}” could not be opened.")
                response.template_name = template_name
                response.render()  # now, while the restored rows exist
                raise _Preview(response)
        except _Preview as preview:
            return preview.response
        except (RevertError, IntegrityError) as error:
            messages.error(request, str(error) if isinstance(error, RevertError) else _clash(version))
            return redirect(self._back_from(version))

    def _back_from(self, version):
        """Where to go when a restore fails: the object's history, or the recover list if it is gone."""
        info = self.opts.app_label, self.opts.model_name
        if self.model._default_manager.filter(pk=version.object_id).exists():
            return reverse(f"admin:{info[0]}_{info[1]}_history", args=[quote(version.object_id)])
        return reverse(f"admin:{info[0]}_{info[1]}_recoverlist")


@contextmanager
def _revision_saved_now(user):
    """A revision of its own, saved when the block ends, whatever revision the request is already in.

    reversion merges a nested revision into the outer one; its stack is set aside for the block instead.
    """
    outer = _stack.set([])
    try:
        with reversion.create_revision():
            reversion.set_user(user)
            yield
    finally:
        _stack.reset(outer)


def _done(version, restored: "Restored") -> str:
    """What the editor sees after Save: what is back, in the restore page's words."""
    if restored.recovering:
        back = f", with {', '.join(restored.parts)}" if restored.parts else ""
        return f"“{version.object_repr}” is back{back}."
    return f"“{version.object_repr}” is back as it was on {restored.saved_on}."


class _Preview(Exception):
    """Carries a rendered restore preview out of its transaction, so the restore is rolled back."""

    def __init__(self, response):
        self.response = response


def _clash(version) -> str:
    return (
        f"“{version.object_repr}” can't be restored as it was: it clashes with what was saved since "
        "(the same web address or the same link twice). Change that first, then try again."
    )


@dataclass
class Restored:
    """What restoring a version does, for the page that asks the editor to confirm it."""

    saved_on: str
    parts: list[str]
    removed: list[str]
    skipped: list[str]
    changes: list[str] = field(default_factory=list)
    recovering: bool = False
    kept: list[str] = field(default_factory=list)


def restore_version(version: Version) -> Restored:
    """Put back the object of `version` and the parts it had then; delete only parts added to it since.

    Recovering a deleted object also brings back the links to it that its revision recorded (`links_to`).
    """
    recovering = _current(version) is None
    versions = _object_and_parts(version)
    counts = Counter(v._model._meta for v in versions[1:])
    parts = [f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}" for meta, n in counts.items()]
    changes = [] if recovering else _changes(versions)
    removed, kept = _remove_parts_added_since(versions)
    _, skipped = _revert(versions, version)
    if recovering:
        parts += _bring_back_links_to(version, versions, skipped)
    saved_on = date_format(template_localtime(version.revision.date_created), SAVED_ON)
    return Restored(saved_on, parts, removed, skipped, changes, recovering, kept)


def _changes(versions: list[Version]) -> list[str]:
    """In words, what putting back these versions changes: the object's fields and lists, then its parts'."""
    main, models_in_tree = versions[0], {v._model for v in versions}
    sentences = []
    for v in versions:
        now, then = _current(v), v._object_version.object
        owner = None if v is main else _owner_model(then, models_in_tree)
        if now is None:
            sentences.append(f"{v._model._meta.verbose_name} “{part_name(then, owner)}” comes back")
            continue
        sentences += going_back(now, then, owner)
        if v is main:
            sentences += links_going_back(now, v._object_version.m2m_data)
    return sentences


def _owner_model(part, models_in_tree: set):
    """The model of the object `part` belongs to in the restored tree (a fix step link's cause)."""
    return next(
        (f.related_model for f in part._meta.concrete_fields if f.many_to_one and f.related_model in models_in_tree),
        None,
    )


def _revert(versions: list[Version], main: Version | None) -> tuple[list[Version], list[str]]:
    """Revert each version on its own; return those reverted, and in words those that could not be.

    `main` must be reverted: the whole restore is refused if it cannot be.
    """
    reverted, skipped = [], []
    for part in versions:
        problem = _missing_reference(part)
        if problem is None:
            try:
                with transaction.atomic(using=part.db):
                    part.revert()
                reverted.append(part)
                continue
            except IntegrityError:
                problem = "it clashes with what was saved since"
            except ValidationError as error:  # the same-guide guards (guides/same_guide.py): a link into another guide
                problem = " ".join(error.messages).rstrip(".")
        if part is main:
            raise RevertError(f"“{main.object_repr}” can't be restored as it was: {problem}.")
        skipped.append(f"{part._model._meta.verbose_name} “{part.object_repr}” ({problem})")
    return reverted, skipped


def _object_and_parts(version: Version) -> list[Version]:
    """The version, then the versions of its revision that were its parts then (by its `follow`), parents first.

    Read from the saved data, not today's database, so parts deleted since come back. Every `follow`
    in guides.versioning is a reverse foreign key (a guide's FAQ entries), which is all this reads.
    """
    revision_versions = version.revision.version_set.filter(db=version.db)
    by_model: dict[type, list[Version]] = {}
    tree = [version]
    for parent in tree:  # the list grows as parts are found
        for name in _get_options(parent._model).follow:
            relation = next(r for r in parent._model._meta.related_objects if r.get_accessor_name() == name)
            model = relation.related_model
            if model not in by_model:
                by_model[model] = [v for v in revision_versions if v._model is model]
            fk = relation.field.attname
            tree += [
                v
                for v in by_model[model]
                if str(getattr(v._object_version.object, fk)) == parent.object_id and v not in tree
            ]
    return tree


def _remove_parts_added_since(versions: list[Version]) -> tuple[list[str], list[str]]:
    """Delete what now belongs to these objects, did not then, was first saved after then, and nothing else names.

    reversion deletes every part missing from the version. Parts saved without a version (a load
    bulk-creates the checklist) would go too, so only parts whose history starts later are deleted.
    """
    then = set()
    for v in versions:
        then.update(v._model._base_manager.using(v.db).filter(pk=v.object_id))
    now = set().union(*(_follow_relations_recursive(obj) for obj in then))
    added = [
        obj
        for obj in sorted(now - then, key=lambda obj: (obj._meta.label, obj.pk))
        if (Version.objects.get_for_object(obj).aggregate(first=Min("revision_id"))["first"] or 0)
        > versions[0].revision_id
    ]
    kept = named_by_others(added)
    added = [obj for obj in added if obj not in kept]
    collector = Collector(using=versions[0].db)
    try:
        for _, group in groupby(added, type):
            collector.collect(list(group))
    except (ProtectedError, RestrictedError) as error:
        needed = ", ".join(f"“{obj}”" for obj in list(error.args[1])[:3])
        raise RevertError(
            f"Restoring “{versions[0].object_repr}” would delete what was added to it since, "
            f"and {needed} still needs that. Change that first, then try again."
        ) from error
    collector.delete()
    words = [f"{obj._meta.verbose_name} “{obj}”" for obj in added]
    return words, [f"{obj._meta.verbose_name} “{obj}”" for obj in kept]


def _missing_reference(version: Version) -> str | None:
    """Say what this version points to that was deleted since; drop many-to-many links to deleted objects.

    Foreign keys are checked only at commit, so a part pointing at a deleted answer would
    otherwise fail the whole restore with a server error instead of being left out.
    """
    saved = version._object_version
    obj = saved.object
    for fk in obj._meta.concrete_fields:
        value = getattr(obj, fk.attname)
        target = fk.related_model._base_manager.filter(**{fk.target_field.attname: value}) if fk.is_relation else None
        if value is not None and target is not None and not target.exists():
            return f"its {fk.verbose_name} was deleted since"
    for name, ids in (saved.m2m_data or {}).items():
        related = obj._meta.get_field(name).related_model
        saved.m2m_data[name] = list(related._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
    return None


def _bring_back_links_to(version: Version, tree: list[Version], skipped: list[str]) -> list[str]:
    """Put back the links to a recovered object as its revision has them; say what came back, in words.

    Rows joining it to others come back unless they exist; other objects get their many-to-many entry
    naming it back, if they still exist. Deleting from the admin records all of these just before.
    """
    model, pk = version._model, version.object_id
    rows, entries = [], Counter()
    for other in version.revision.version_set.filter(db=version.db).exclude(pk__in=[v.pk for v in tree]):
        saved = other._object_version
        if joins_two(other._model) and _points_at(saved.object, model, pk) and _current(other) is None:
            rows.append(other)
        for name, ids in (saved.m2m_data or {}).items():
            if other._model._meta.get_field(name).related_model is model and pk in map(str, ids):
                holder = _current(other)
                if holder is not None:
                    getattr(holder, name).add(model._meta.pk.to_python(pk))
                    entries[other._model._meta.verbose_name_plural] += 1
    reverted, not_reverted = _revert(rows, None)
    skipped += not_reverted
    counts = Counter(v._model._meta for v in reverted)
    brought = [f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}" for meta, n in counts.items()]
    return brought + [f"its links from {n} {kind}" for kind, n in entries.items()]


def _current(version: Version):
    """The object of `version` as the database has it now, or None if it is deleted."""
    return version._model._base_manager.using(version.db).filter(pk=version.object_id).first()


def _points_at(obj, model, pk: str) -> bool:
    return any(
        f.many_to_one and f.related_model is model and str(getattr(obj, f.attname)) == pk
        for f in obj._meta.concrete_fields
    )
