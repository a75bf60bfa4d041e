"""Every picker of the admin offers the objects of the guide being edited, and every form refuses another guide's.

Two fix steps called "Restart your phone", one per guide, look the same in a list: an editor picked
TikTok's for WhatsApp's cause. So each select, filter box, autocomplete and "+" pop-up of a page
is limited to the guide of the object being edited (on an add page: the guide in ``?guide=``, or the
guide picked on the form). Where no guide is known yet, every guide's objects are offered, each named
with its guide, and the form refuses those of another guide than the one picked, naming it.

The choices keep the full queryset for validation: a foreign pick then gets the words of
`guides.same_guide` ("… is a fix step of the guide “…”"), not Django's "Select a valid choice".
"""

from django import forms
from django.apps import apps
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, RelatedFieldWidgetWrapper
from django.forms.models import ModelChoiceIterator

from guides import same_guide

_MODEL_PAGE = ("add", "change", "revision")  # a restore shows the object's change form as it was


def guide_being_edited(request) -> int | None:
    """The guide of the page: the object's on a change page; on an add page ``?guide=`` or the form's pick.

    Looked up once per request. NEW_GUIDE on the add page of a guide (nothing belongs to it yet),
    None where it cannot be known (a new object whose guide is not picked yet).
    """
    if "_guide_being_edited" not in request.__dict__:
        request._guide_being_edited = _find_guide(request)
    return request._guide_being_edited


def _find_guide(request) -> int | None:
    match = request.resolver_match
    url_name = match.url_name if match else ""
    if url_name == "autocomplete":
        return _number(request.GET.get("guide"))
    app, _, rest = (url_name or "").partition("_")
    model_name, _, view = rest.rpartition("_")
    if app != "guides" or view not in _MODEL_PAGE:
        return None
    model = apps.get_model("guides", model_name)
    if view != "add":
        object_id = _number(match.kwargs.get("object_id") or (match.args[0] if match.args else None))
        if model._meta.model_name == "guide" or object_id is None:
            return object_id
        return model._base_manager.filter(pk=object_id).values_list(same_guide.guide_path(model), flat=True).first()
    if model._meta.model_name == "guide":
        return same_guide.NEW_GUIDE
    return _guide_from_params(request, model)


def _guide_from_params(request, model) -> int | None:
    """On an add page: ``?guide=``, or the owner named in the address or picked on the form."""
    params = request.POST if request.method == "POST" else request.GET
    guide = _number(request.GET.get("guide")) or _number(params.get("guide"))
    if guide or model._meta.model_name == "guide":
        return guide
    name = same_guide.owner_field(model)
    owner_id = _number(request.GET.get(name)) or _number(params.get(name))
    if name is None or name == "guide" or owner_id is None:
        return None
    owner = model._meta.get_field(name).related_model
    return owner._base_manager.filter(pk=owner_id).values_list(same_guide.guide_path(owner), flat=True).first()


def _number(value) -> int | None:
    return int(value) if isinstance(value, str | int) and str(value).isdigit() else None


class SameGuideForm(forms.ModelForm):
    """Refuse many-to-many picks of another guide; foreign keys are refused by the model's own clean()."""

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's values, and an inline row its parent
        for name, messages in same_guide.move_errors(self.instance).items():
            self.add_error(name if name in self.fields else None, messages)
        meta = self.instance._meta
        names = [n for n in same_guide.LINKS.get(type(self.instance).__name__, ()) if meta.get_field(n).many_to_many]
        picked = {name: self.cleaned_data[name] for name in names if self.cleaned_data.get(name)}
        own = same_guide.guide_id_of(self.instance) if picked else None
        for name, values in picked.items():
            field = self.instance._meta.get_field(name)
            words = same_guide.foreign(own, field.related_model, [obj.pk for obj in values])
            if words:
                self.add_error(name, f"{'; '.join(words)}. Pick only objects of this guide.")


class _GuideChoices(ModelChoiceIterator):
    """A picker's choices, limited to one guide and read once per page however many inline rows show them."""

    def __init__(self, field, queryset, memo: dict, key):
        super().__init__(field)
        self.queryset, self.memo, self.key = queryset, memo, key

    def __iter__(self):
        if self.key not in self.memo:
            self.memo[self.key] = list(super().__iter__())
        return iter(self.memo[self.key])

    def __len__(self):
        return len(self.memo[self.key]) if self.key in self.memo else sum(1 for _ in self)


class _GuideAutocomplete:
    """An autocomplete that asks for the objects of one guide (``?guide=`` on its JSON address)."""

    guide_id: int | None = None

    def get_url(self):
        url = super().get_url()
        return url if self.guide_id is None else f"{url}?guide={self.guide_id}"


class GuideAutocompleteSelect(_GuideAutocomplete, AutocompleteSelect):
    pass


class GuideAutocompleteSelectMultiple(_GuideAutocomplete, AutocompleteSelectMultiple):
    pass


class GuideRelatedWidgetWrapper(RelatedFieldWidgetWrapper):
    """The "+" and pencil pop-ups open with ``?guide=``: the new fix step or answer already knows its guide."""

    guide_id: int | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.guide_id:
            context["url_params"] += f"&guide={self.guide_id}"
        return context


class SameGuidePickers:
    """For a ModelAdmin or an inline: every picker of content limited to the guide being edited."""

    form = SameGuideForm

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        guide = guide_being_edited(request)
        if isinstance(getattr(formfield, "widget", None), RelatedFieldWidgetWrapper) and guide:
            formfield.widget.__class__ = GuideRelatedWidgetWrapper  # same widget, pop-up links that carry the guide
            formfield.widget.guide_id = guide
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._limited(db_field, request, kwargs, super().formfield_for_foreignkey, GuideAutocompleteSelect)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        wanted = GuideAutocompleteSelectMultiple
        return self._limited(db_field, request, kwargs, super().formfield_for_manytomany, wanted)

    def _limited(self, db_field, request, kwargs, make, autocomplete):
        target = db_field.related_model
        if target._meta.app_label != "guides" or same_guide.owner_field(target) is None:
            return make(db_field, request, **kwargs)
        guide = guide_being_edited(request)
        path = same_guide.guide_path(target)
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            if guide is None:  # a plain list, where each object is named with its guide (autocompletes cannot)
                kwargs["widget"] = forms.SelectMultiple if db_field.many_to_many else forms.Select
            else:
                kwargs["widget"] = autocomplete(db_field, self.admin_site, using=kwargs.get("using"))
                kwargs["widget"].guide_id = guide
        field = make(db_field, request, **kwargs)
        if field is None or isinstance(field.widget, AutocompleteSelect | AutocompleteSelectMultiple):
            return field
        field.queryset = field.queryset.select_related(path)  # the guide, and an answer's question
        if target._meta.model_name == "answer":  # grouped by question, in the troubleshooter's order
            field.queryset = field.queryset.order_by("question__guide__title", "question__order", "question", "order")
        if guide is None:
            field.label_from_instance = lambda obj: f"{_guide_of(obj, path)}: {same_guide.label(obj)}"
            return field
        field.label_from_instance = same_guide.label
        limited = field.queryset.filter(**{f"{path}_id": guide})
        memo = request.__dict__.setdefault("_same_guide_choices", {})
        field.choices = _GuideChoices(field, limited, memo, (type(self).__name__, db_field.name))
        return field

    def get_search_results(self, request, queryset, search_term):
        """Autocomplete answers with the objects of the guide it asks for (``?guide=``) only."""
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        guide = guide_being_edited(request) if _autocompleting(request) else None
        if guide is not None and same_guide.owner_field(queryset.model) is not None:
            queryset = queryset.filter(**{f"{same_guide.guide_path(queryset.model)}_id": guide})
        return queryset, duplicates


def _autocompleting(request) -> bool:
    match = request.resolver_match
    return bool(match and match.url_name == "autocomplete")


def _guide_of(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
