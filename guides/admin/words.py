"""What each word an editor picks means to the troubleshooter, in a sentence with the number behind it.

An editor who picks "Often" or "Strongly points to it" decides how the troubleshooter ranks steps and
questions, so the word's meaning must sit next to the choice, not in the README. The numbers come from
the engine itself: change a number there and these sentences change with it.
"""

from django.utils.html import format_html, format_html_join

from guides import engine
from guides.models import Commonness, Efficacy, Effort, StepKind, Strength


def _in_ten(chance: float) -> str:
    times = round(chance * 10)
    return f"about {times} {'time' if times == 1 else 'times'} in 10"


def _times(ratio: float) -> str:
    return f"{ratio:g} times" if ratio >= 1 else f"{1 / ratio:g} times"


EFFICACY = {
    choice.value: f"this step fixes it {_in_ten(engine.EFFICACY[engine.Efficacy(choice.value)])} "
    "when this is the cause."
    for choice in Efficacy
}
STRENGTH = {
    Strength.RULES_OUT.value: "people who give this answer almost never have this cause: it becomes "
    f"{_times(engine.LIKELIHOOD_RATIO[engine.Strength.RULES_OUT])} less likely, so its steps come last, "
    "if at all.",
    Strength.LESS.value: "it becomes "
    f"{_times(engine.LIKELIHOOD_RATIO[engine.Strength.LESS])} less likely than before the answer.",
    Strength.MORE.value: "it becomes "
    f"{_times(engine.LIKELIHOOD_RATIO[engine.Strength.MORE])} more likely than before the answer.",
    Strength.STRONG.value: "it becomes "
    f"{_times(engine.LIKELIHOOD_RATIO[engine.Strength.STRONG])} more likely: usually enough to try its steps first.",
}
EFFORT = {
    choice.value: f"counts as {engine.EFFORT_MINUTES[engine.Effort(choice.value)]:g} minutes of the visitor's time, "
    "weighed against the minutes a fix step takes."
    for choice in Effort
}
KIND = {
    StepKind.DO_NOW.value: "the visitor does it now and says whether it worked.",
    StepKind.WAIT.value: "the visitor is told how long to wait; steps they can do now come first.",
    StepKind.HAND_OFF.value: "the app's own support: offered last, when nothing on this guide is left to try.",
}
COMMONNESS = {
    choice.value: f"counts {choice.value} times as much as a rare cause when the troubleshooter starts guessing."
    if choice.value > 1
    else "the baseline: the troubleshooter starts from it being the least likely."
    for choice in Commonness
}

# Field name → (the choices' labels, what each means). Fields of these names in any admin form get both.
EXPLAINED = {
    "efficacy": (dict(Efficacy.choices), EFFICACY),
    "strength": (dict(Strength.choices), STRENGTH),
    "effort": (dict(Effort.choices), EFFORT),
    "kind": (dict(StepKind.choices), KIND),
    "commonness": (dict(Commonness.choices), COMMONNESS),
}


def explanation(name: str) -> str:
    """The help text for a field: each word, then what it means (HTML, as Django admin shows help text)."""
    labels, meanings = EXPLAINED[name]
    rows = ((labels[value], meaning) for value, meaning in meanings.items())
    return format_html('<ul class="word-meanings">{}</ul>', format_html_join("", "<li><b>{}</b>: {}</li>", rows))


def explained(db_field) -> bool:
    """Whether a model field is one of the words above (a "kind" of a visit's ending is not)."""
    meanings = EXPLAINED.get(db_field.name, (None, {}))[1]
    return bool(meanings) and {value for value, _ in db_field.choices or ()} <= set(meanings)


def explain(db_field, formfield):
    """Give a form field for efficacy, strength, effort, kind or commonness its words' meanings."""
    if formfield is not None and explained(db_field):
        formfield.help_text = explanation(db_field.name)
    return formfield


class ExplainedWords:
    """For admin pages and inlines: the words' meanings as help text, and listed for tabular rows;
    a name like "iPhone" spelled as its makers spell it.

    A tabular inline shows help text only as a tooltip on its column header, which a phone and a
    keyboard never open: its template lists `explained_words` under the table instead.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = explain(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))
        name = getattr(db_field, "verbose_name", "")
        if formfield is not None and name[:1].islower() and name[1:2].isupper():
            formfield.label = name  # "iPhone", which Django's capfirst would make "IPhone"
        return formfield

    @property
    def explained_words(self) -> list[tuple[str, str]]:
        fields = [self.model._meta.get_field(name) for name in self.fields or () if name in EXPLAINED]
        return [(f.verbose_name, explanation(f.name)) for f in fields if explained(f)]
