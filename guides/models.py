"""The content of a troubleshooting guide, as staff edit it, and what the troubleshooter records.

This module is long because Django looks for an app's models here and they refer to one
another; each class is short and reads on its own.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from guides import engine, same_guide
from guides.diagnose.address import RESERVED_QUESTION_SLUGS
from guides.markup import render_markdown, with_lf_line_ends


class RenderedMarkdown(models.Model):
    """Keep a sanitised HTML copy beside each Markdown field, so pages never render."""

    markdown_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        for name in self.markdown_fields:
            # One kind of line end, so exports stay readable and a file compares equal to what it loaded.
            text = with_lf_line_ends(getattr(self, name))
            setattr(self, name, text)
            setattr(self, f"{name}_html", render_markdown(text))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *(f"{n}_html" for n in self.markdown_fields)}
        super().save(*args, **kwargs)


class Commonness(models.IntegerChoices):
    """How often a cause is behind the problem; the value is its relative prior weight."""

    RARE = 1, "Rare"
    UNCOMMON = 2, "Uncommon"
    COMMON = 4, "Common"
    VERY_COMMON = 8, "Very common"


class Numbers(models.TextChoices):
    """Which numbers a guide's troubleshooter plans with: staff's words, or those learned from visitors' answers."""

    STAFF = "staff", "Use staff's numbers"
    LEARNED = "learned", "Use learned numbers"


class GuideQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Guide(RenderedMarkdown):
    title = models.CharField(max_length=200, help_text="The question people ask, as they would ask it.")
    slug = models.SlugField(max_length=100, unique=True, help_text="Part of the web address. Changing it breaks links.")
    summary = models.CharField(
        max_length=300, help_text="One or two sentences shown in search engines and on the home page."
    )
    introduction = models.TextField(blank=True, help_text="Markdown. Shown above the causes.")
    introduction_html = models.TextField(blank=True, editable=False)
    conclusion = models.TextField(blank=True, help_text="Markdown. Shown at the end of the article.")
    conclusion_html = models.TextField(blank=True, editable=False)
    support = models.TextField(
        blank=True,
        help_text="Markdown. How to reach the app's own support, shown when none of the fixes helped.",
    )
    support_html = models.TextField(blank=True, editable=False)
    published = models.BooleanField(default=False, help_text="Only published guides are visible to visitors.")
    max_questions = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="The troubleshooter never asks more questions than this, however useful another would be.",
    )
    max_screens = models.PositiveSmallIntegerField(
        default=engine.MAX_SCREENS,
        validators=[MinValueValidator(3), MaxValueValidator(30)],
        help_text="No visitor sees more screens than this before a fix, an explanation or the honest list of "
        "long shots with the hand-off.",
    )
    long_shot_odds = models.PositiveSmallIntegerField(
        default=round(1 / engine.LONG_SHOT_FLOOR),
        validators=[MinValueValidator(5), MaxValueValidator(1000)],
        help_text="A fix step that works for fewer than 1 visitor in this many, given their answers, is a long "
        "shot: it is not offered a screen of its own, but listed with the others at the end.",
    )
    numbers = models.CharField(
        "numbers the troubleshooter plans with",
        max_length=10,
        choices=Numbers,
        default=Numbers.STAFF,
        help_text="Learned numbers come from what visitors answered. They move a number at most as far as "
        "allowed below; an editor accepts anything further from the feedback report.",
    )
    prior_visitors = models.PositiveSmallIntegerField(
        "staff's numbers count as this many visitors",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text="The higher this is, the more visitors it takes before learned numbers move away from staff's.",
    )
    learned_max_words = models.PositiveSmallIntegerField(
        "learned numbers move at most this many words",
        # Two: a cause staff thought three times as common as it is sits 1.6 words off on the commonness
        # scale (each word a doubling), which one word can never correct; further needs an editor.
        default=2,
        validators=[MaxValueValidator(3)],
        help_text="How far from staff's word (for example “Often” to “Sometimes” is one word) a learned number "
        "may move by itself. 0 keeps staff's numbers.",
    )
    learned_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the numbers were last learned from visitors' answers."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    markdown_fields = ("introduction", "conclusion", "support")
    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("guides:article", args=[self.slug])


class Cause(RenderedMarkdown):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="causes")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    summary = models.CharField(max_length=300, help_text="One sentence: what goes wrong.")
    explanation = models.TextField(blank=True, help_text="Markdown. Why this stops messages, in plain words.")
    explanation_html = models.TextField(blank=True, editable=False)
    commonness = models.PositiveSmallIntegerField(
        choices=Commonness,
        default=Commonness.COMMON,
        help_text="How often this is the reason. The troubleshooter starts from it.",
    )
    explains = models.BooleanField(
        "nothing on the visitor's side fixes it",
        default=False,
        help_text="Tick for a cause the visitor can only understand, not fix (they are blocked, too young, "
        "TikTok is down). The troubleshooter then shows “What is happening” and asks whether it matches, "
        "instead of fix steps.",
    )
    what_is_happening = models.TextField(
        blank=True,
        help_text="Markdown. For a cause nobody can fix from their side: what is going on, in a few short sentences.",
    )
    what_is_happening_html = models.TextField(blank=True, editable=False)
    what_you_can_do = models.TextField(
        blank=True,
        help_text="Markdown. What the visitor can still do: wait until a date, ask the person, ask a parent.",
    )
    what_you_can_do_html = models.TextField(blank=True, editable=False)
    where_to_get_help = models.TextField(
        blank=True,
        help_text="Markdown. Where to get help when this is the likely cause and nothing worked (the appeal "
        "route, Family Pairing, or that support can't change it). Shown on the hand-off instead of the guide's.",
    )
    where_to_get_help_html = models.TextField(blank=True, editable=False)
    order = models.PositiveIntegerField(default=0, db_index=True)
    reviewed_on = models.DateField(
        default=timezone.localdate, help_text="When someone last checked this is still true."
    )
    related = models.ManyToManyField("self", symmetrical=False, blank=True, help_text="Other causes worth checking.")
    fix_steps = models.ManyToManyField("FixStep", through="CauseFix", related_name="causes", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    markdown_fields = ("explanation", "what_is_happening", "what_you_can_do", "where_to_get_help")

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["guide", "slug"], name="unique_cause_slug_per_guide")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("guides:cause", args=[self.guide.slug, self.slug])


class Facet(RenderedMarkdown):
    """A more specific form of a cause, such as DNS trouble within network problems."""

    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="facets")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    explanation = models.TextField(blank=True, help_text="Markdown.")
    explanation_html = models.TextField(blank=True, editable=False)
    order = models.PositiveIntegerField(default=0, db_index=True)

    markdown_fields = ("explanation",)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["cause", "slug"], name="unique_facet_slug_per_cause")]

    def __str__(self):
        return f"{self.cause}: {self.title}"

    def get_absolute_url(self):
        return f"{self.cause.get_absolute_url()}#facet-{self.slug}"


class Symptom(RenderedMarkdown):
    """Something a person sees when the problem happens, in their words."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="symptoms")
    title = models.CharField(max_length=200, help_text="What the person sees, in their own words.")
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True, help_text="Markdown. What it looks like and what it suggests.")
    description_html = models.TextField(blank=True, editable=False)
    causes = models.ManyToManyField(Cause, related_name="symptoms", help_text="The causes this points to.")
    settles = models.ManyToManyField(
        "Answer",
        related_name="settled_by",
        blank=True,
        help_text="Answers this symptom gives by itself: someone who sees it is never asked those questions.",
    )
    order = models.PositiveIntegerField(default=0, db_index=True)

    markdown_fields = ("description",)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["guide", "slug"], name="unique_symptom_slug_per_guide")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        cause = self.causes.first()
        return f"{cause.get_absolute_url()}#symptoms" if cause else self.guide.get_absolute_url()


class StepKind(models.TextChoices):
    """What trying a step means for the visitor; the troubleshooter plans with it."""

    DO_NOW = engine.Kind.DO_NOW.value, "Do it now"
    WAIT = engine.Kind.WAIT.value, "Wait (a limit that lifts with time)"
    HAND_OFF = engine.Kind.HAND_OFF.value, "Hand-off to the app's support"


class FixStep(RenderedMarkdown):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="fix_steps")
    title = models.CharField(max_length=200, help_text="What to do, starting with a verb.")
    slug = models.SlugField(max_length=100)
    where = models.CharField(
        max_length=200, blank=True, help_text="Where to tap, e.g. Settings and privacy > Privacy > Direct messages."
    )
    kind = models.CharField(
        max_length=10,
        choices=StepKind,
        default=StepKind.DO_NOW,
        help_text="Most steps are done now. A wait is a limit that lifts with time: its minutes are the waiting, "
        "and visitors are told when to come back. The hand-off (one per guide) is the report to the app's support.",
    )
    risky = models.BooleanField(
        "can lose data or a sign-in",
        default=False,
        help_text="Tick for a step that costs something if done for nothing, such as reinstalling or logging out. "
        "The troubleshooter never offers it while a cause like “TikTok is down” is still plausible.",
    )
    minutes = models.PositiveIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 30)],
        help_text="Roughly how many minutes it takes, waiting included. For the hand-off: until support answers.",
    )
    instructions = models.TextField(help_text="Markdown. The steps that work on any phone.")
    instructions_html = models.TextField(blank=True, editable=False)
    android = models.TextField(blank=True, help_text="Markdown. Only where Android differs.")
    android_html = models.TextField(blank=True, editable=False)
    iphone = models.TextField("iPhone", blank=True, help_text="Markdown. Only where iPhone differs.")
    iphone_html = models.TextField(blank=True, editable=False)
    reviewed_on = models.DateField(default=timezone.localdate, help_text="When someone last checked these steps.")
    updated_at = models.DateTimeField(auto_now=True)

    markdown_fields = ("instructions", "android", "iphone")

    class Meta:
        ordering = ["guide", "title"]
        constraints = [models.UniqueConstraint(fields=["guide", "slug"], name="unique_fix_step_slug_per_guide")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        cause = next(iter(self.causes.all()), None)  # uses prefetched causes when there are any
        return f"{cause.get_absolute_url()}#fix-{self.slug}" if cause else f"{self.guide.get_absolute_url()}#checklist"


class Efficacy(models.TextChoices):
    """How often a step fixes the problem when this cause is behind it; the engine turns words into chances."""

    ALMOST_ALWAYS = engine.Efficacy.ALMOST_ALWAYS.value, "Almost always"
    OFTEN = engine.Efficacy.OFTEN.value, "Often"
    SOMETIMES = engine.Efficacy.SOMETIMES.value, "Sometimes"
    RARELY = engine.Efficacy.RARELY.value, "Rarely"


class CauseFix(models.Model):
    """A fix step for a cause, with how often it fixes that cause; the order is the order on the cause's page."""

    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="cause_fixes")
    fix_step = models.ForeignKey(FixStep, on_delete=models.CASCADE, related_name="cause_fixes")
    efficacy = models.CharField(
        max_length=15,
        choices=Efficacy,
        default=Efficacy.SOMETIMES,
        help_text="When this cause is the reason, how often does doing this step make it work again?",
    )
    order = models.PositiveIntegerField(default=0, db_index=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["cause", "fix_step"], name="unique_fix_step_per_cause")]
        verbose_name = "fix step of a cause"
        verbose_name_plural = "fix steps of causes"

    def __str__(self):
        return f"{self.cause}: {self.fix_step}"

    def clean(self):
        _refuse_other_guides(self)


class FAQEntry(RenderedMarkdown):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, help_text="Part of the link to this answer (#faq-…).")
    answer = models.TextField(help_text="Markdown.")
    answer_html = models.TextField(blank=True, editable=False)
    order = models.PositiveIntegerField(default=0, db_index=True)

    markdown_fields = ("answer",)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [models.UniqueConstraint(fields=["guide", "slug"], name="unique_faq_slug_per_guide")]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return f"{self.guide.get_absolute_url()}#faq-{self.slug}"


class ChecklistItem(models.Model):
    """One numbered step of a guide's troubleshooting checklist."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="checklist_items")
    fix_step = models.ForeignKey(FixStep, on_delete=models.CASCADE, related_name="checklist_items")
    order = models.PositiveIntegerField(default=0, db_index=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["guide", "fix_step"], name="unique_checklist_step_per_guide")]

    def __str__(self):
        return str(self.fix_step)

    def clean(self):
        _refuse_other_guides(self)


class Effort(models.TextChoices):
    """How much it takes a visitor to answer; questions compete with fix steps on the same scale of minutes."""

    QUICK_LOOK = engine.Effort.QUICK_LOOK.value, "A quick look (something they know or see at a glance)"
    IN_APP = engine.Effort.IN_APP.value, "A check in the app (a few screens away)"
    ASK_SOMEONE = engine.Effort.ASK_SOMEONE.value, "Ask someone else (only another person knows)"


class Question(models.Model):
    """A multiple-choice question of a guide's troubleshooter."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="questions")
    slug = models.SlugField(max_length=60, help_text="Part of the troubleshooter's web address.")
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True, help_text="Where to look in the app to answer.")
    asked_after = models.ForeignKey(
        "Answer",
        # Deleting the answer alone would silently turn this follow-up into a question for everyone.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="Ask this only after this answer to another question.",
    )
    effort = models.CharField(
        max_length=15, choices=Effort, default=Effort.IN_APP, help_text="How much it takes to answer."
    )
    not_after_answers = models.ManyToManyField(
        "Answer",
        blank=True,
        related_name="mooted_questions",
        verbose_name="not after these answers",
        help_text="Never ask this after any of these answers: they make it pointless or impossible to answer.",
    )
    not_after_steps = models.ManyToManyField(
        "FixStep",
        blank=True,
        related_name="mooted_questions",
        verbose_name="not after these fix steps",
        help_text="Never ask this once the visitor has tried any of these fix steps.",
    )
    order = models.PositiveIntegerField(
        default=0, db_index=True, help_text="Breaks ties between equally useful questions."
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["guide", "slug"], name="unique_question_slug_per_guide")]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        """The guide's troubleshooter: a question is asked where the planner puts it, never out of turn."""
        return reverse("guides:diagnose", args=[self.guide.slug])

    def clean(self):
        if self.slug in RESERVED_QUESTION_SLUGS:
            message = f"“{self.slug}” is a word of the troubleshooter's address. Pick another slug."
            raise ValidationError({"slug": message})
        _refuse_other_guides(self)
        if self.pk and self.asked_after_id and self.asked_after.question_id == self.pk:
            raise ValidationError({"asked_after": "A question cannot wait for an answer to itself."})


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    slug = models.SlugField(max_length=60)
    text = models.CharField(max_length=200)
    skips = models.ManyToManyField(
        "FixStep",
        blank=True,
        related_name="skipped_by",
        help_text="Fix steps this answer shows are already done or pointless; they are not offered after it.",
    )
    order = models.PositiveIntegerField(default=0, db_index=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "slug"], name="unique_answer_slug_per_question"),
            models.CheckConstraint(condition=~models.Q(slug=engine.UNSURE), name="answer_slug_not_reserved"),
        ]

    def __str__(self):
        return f"{self.question.text} — {self.text}"


class Strength(models.TextChoices):
    """What an answer says about a cause; the engine turns each into a likelihood ratio.

    Every engine strength but ``sign``, which only a symptom the visitor taps carries.
    """

    RULES_OUT = engine.Strength.RULES_OUT.value, "Rules it out"
    LESS = engine.Strength.LESS.value, "Makes it less likely"
    MORE = engine.Strength.MORE.value, "Makes it more likely"
    STRONG = engine.Strength.STRONG.value, "Strongly points to it"


class AnswerEffect(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="effects")
    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="answer_effects")
    facet = models.ForeignKey(
        Facet,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answer_effects",
        help_text="Leave empty to speak about the cause; pick a facet to tell its facets apart.",
    )
    strength = models.CharField(max_length=10, choices=Strength)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "cause", "facet"], name="unique_effect_per_answer_cause_facet"),
            models.UniqueConstraint(
                fields=["answer", "cause"], condition=models.Q(facet=None), name="unique_cause_effect_per_answer"
            ),
        ]

    def __str__(self):
        target = f"{self.cause} / {self.facet.title}" if self.facet_id else str(self.cause)
        return f"{self.get_strength_display()}: {target}"

    def clean(self):
        _refuse_other_guides(self)


def _refuse_other_guides(obj) -> None:
    """A link into another guide is refused here for forms and the loader (and on save: `guides.same_guide`)."""
    errors = same_guide.link_errors(obj)
    if errors:
        raise ValidationError(errors)


class Resolution(models.Model):
    """How one troubleshooting visit ended: the step that fixed it, and the causes' ranking then. Nothing personal."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="resolutions")
    answers = models.CharField(max_length=2000, blank=True, help_text="The answers and steps, as in the address.")
    cause = models.ForeignKey(Cause, on_delete=models.SET_NULL, null=True, blank=True, related_name="resolutions")
    cause_slug = models.SlugField(max_length=100, help_text="The likeliest cause then; kept if the cause is deleted.")

    class Kind(models.TextChoices):
        FIXED = "fixed", "A fix step fixed it"
        EXPLAINED = "explained", "An explanation matched (nothing on the visitor's side fixes it)"

    fixed = models.BooleanField()
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.FIXED)
    fix_steps = models.CharField(max_length=1000, blank=True, help_text="Slugs of the fix steps tried, in order.")
    step_slug = models.SlugField(max_length=100, blank=True, help_text="The fix step that fixed it.")
    ranking = models.CharField(
        max_length=1000,
        blank=True,
        help_text="The causes' chances when it was fixed, as slug:percent, likeliest first.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.cause_slug}: {'fixed' if self.fixed else 'not fixed'}"


class StepOutcome(models.Model):
    """What happened when a visitor tried one fix step the troubleshooter offered, for the report. Nothing personal."""

    class Outcome(models.TextChoices):
        FIXED = "fixed", "Fixed it"
        NOT_FIXED = "not_fixed", "Did not fix it"
        COULDNT = "couldnt", "Could not do it"
        # On an explanation screen; the step slug is then the explained cause's slug.
        EXPLAINED = "explained", "Explained it"
        NOT_IT = "not_it", "Was not it"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="step_outcomes")
    step_slug = models.SlugField(max_length=100)
    outcome = models.CharField(max_length=10, choices=Outcome)
    token = models.CharField(
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The random id of the answer form it came from: a retried answer is not stored twice.",
    )
    long_shot = models.BooleanField(
        default=False,
        editable=False,
        help_text="Answered on the long-shots list, which says which one worked but not which were tried before: "
        "learning leaves it out.",
    )
    state = models.CharField(
        max_length=2000,
        blank=True,
        editable=False,
        help_text="The answers and steps before this screen, as in the address (the signed form's state).",
    )
    source = models.CharField(
        max_length=16,
        blank=True,
        editable=False,
        help_text="A keyed hash of the visitor's address, never the address: learning caps what one address adds.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["guide", "created_at"])]

    def __str__(self):
        return f"{self.step_slug}: {self.get_outcome_display()}"


class LearnedNumber(models.Model):
    """One number learned from visitors' answers, beside the staff's word it would replace. Nothing personal.

    A cause's commonness when `fix_step` is empty, else how often `fix_step` fixes `cause`. `manage.py
    relearn` (and "Relearn now" on the feedback report) replaces a guide's rows; staff's content is never
    changed by it. `staff_word` and `learned_word` are the words when it was learned, as the content files
    spell them ("very_common", "often"), so an export shows a reviewer the move in words.
    """

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="learned_numbers")
    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="learned_numbers")
    fix_step = models.ForeignKey(
        FixStep, on_delete=models.CASCADE, null=True, blank=True, related_name="learned_numbers"
    )
    value = models.FloatField(help_text="The learned share of visitors, or chance the step fixes the cause.")
    low = models.FloatField(help_text="The low end of its 90% interval.")
    high = models.FloatField(help_text="The high end of its 90% interval.")
    visitors = models.FloatField(help_text="How many visitors' answers it rests on, after the cap per address.")
    staff_word = models.CharField(max_length=15)
    learned_word = models.CharField(max_length=15)

    class Meta:
        ordering = ["cause", "fix_step"]
        constraints = [
            models.UniqueConstraint(fields=["cause", "fix_step"], name="one_learned_number_per_link"),
            models.UniqueConstraint(
                fields=["cause"], condition=models.Q(fix_step=None), name="one_learned_commonness_per_cause"
            ),
        ]

    def __str__(self):
        target = f"{self.cause.slug} / {self.fix_step.slug}" if self.fix_step_id else self.cause.slug
        return f"{target}: {self.value:.2f}"


class QuestionnaireCount(models.Model):
    """How often one screen of the troubleshooter was shown or answered on one day, for the report. Nothing personal.

    A page view adds one to its row (a few seconds later: `guides.diagnose.page_views`), so the table
    grows with the guide's content and the days kept, never with traffic. Reloads count again; the
    report reads the figures as rates, where that washes out.
    """

    class Kind(models.TextChoices):
        START = "start", "Started"
        QUESTION = engine.QUESTION, "Question shown"
        ANSWER = "answer", "Question answered"
        STEP = engine.STEP, "Fix step shown"
        HAND_OFF = engine.HAND_OFF, "Hand-off shown"
        EXPLAIN = engine.EXPLAIN, "Explanation shown"
        LONG_SHOTS = engine.LONG_SHOTS, "Long shots shown"
        RESULT = "result", "Result page shown (an earlier design; the report skips it)"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="screen_counts")
    day = models.DateField(help_text="The day, in the site's time zone.")
    kind = models.CharField(max_length=10, choices=Kind)
    question_slug = models.SlugField(
        max_length=100, blank=True, db_index=False, help_text="The question or fix step shown or answered."
    )
    answer_slug = models.SlugField(max_length=60, blank=True, db_index=False)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "troubleshooter daily count"
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "day", "kind", "question_slug", "answer_slug"], name="one_count_per_screen_and_day"
            )
        ]
        indexes = [models.Index(fields=["day"])]  # pruning reads every guide's oldest days

    def __str__(self):
        return f"{self.day} {self.get_kind_display()} {self.question_slug}: {self.count}".strip()


class LoadedContent(models.Model):
    """What `load_guides` last wrote for one object, to tell staff edits from file changes."""

    key = models.CharField(max_length=300, unique=True)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = "loaded content record"

    def __str__(self):
        return self.key


class PageVote(models.Model):
    """One answer to "Was this page helpful?" on an article or a cause page, for the report. Nothing personal.

    `token` is the random id of the form the vote came from: one vote per page view, and a reason
    sent after "No" completes that vote instead of adding another.
    """

    class Reason(models.TextChoices):
        DIDNT_FIX = "didnt_fix", "It didn't fix my problem"
        HARD_TO_FOLLOW = "hard_to_follow", "It's hard to follow"
        OUT_OF_DATE = "out_of_date", "It's out of date or wrong"
        NOT_MY_PROBLEM = "not_my_problem", "It's not my problem"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="page_votes")
    cause = models.ForeignKey(Cause, on_delete=models.SET_NULL, null=True, blank=True, related_name="page_votes")
    cause_slug = models.SlugField(
        max_length=100, blank=True, help_text="The cause page voted on, empty for the article; kept if it is deleted."
    )
    helpful = models.BooleanField()
    reason = models.CharField(max_length=20, choices=Reason, blank=True, help_text="Why not, if the visitor said.")
    token = models.CharField(
        max_length=32,
        unique=True,
        editable=False,
        help_text="The random id of the form it came from: a page view votes once.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["guide", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(helpful=False) | models.Q(reason=""), name="only_no_has_a_reason")
        ]

    def __str__(self):
        page = self.cause_slug or "article"
        return f"{page}: {'helpful' if self.helpful else 'not helpful'}"
