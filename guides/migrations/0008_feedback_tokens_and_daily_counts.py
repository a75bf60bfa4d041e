# Answers carry the id of the form they came from; page views become daily counters.

from datetime import UTC, datetime, time

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import TruncDate

BATCH = 1000


def events_to_daily_counts(apps, schema_editor):
    """One counter per guide, day, kind and slugs, holding how many page-view rows it replaces."""
    db = schema_editor.connection.alias
    Event = apps.get_model("guides", "QuestionnaireEvent")
    Counter = apps.get_model("guides", "QuestionnaireCount")
    groups = (
        Event.objects.using(db)
        .order_by()
        .annotate(day=TruncDate("created_at"))
        .values("guide_id", "day", "kind", "question_slug", "answer_slug")
        .annotate(total=Count("id"))
    )
    batch = []
    for group in groups.iterator(chunk_size=BATCH):
        batch.append(Counter(**{name: group[name] for name in group if name != "total"}, count=group["total"]))
        if len(batch) >= BATCH:
            Counter.objects.using(db).bulk_create(batch)
            batch = []
    Counter.objects.using(db).bulk_create(batch)


def daily_counts_to_events(apps, schema_editor):
    """Going back: one page-view row per count, at noon of its day (the time of day was not kept)."""
    db = schema_editor.connection.alias
    Event = apps.get_model("guides", "QuestionnaireEvent")
    Counter = apps.get_model("guides", "QuestionnaireCount")
    for counter in Counter.objects.using(db).order_by("pk").iterator():
        first = None
        for start in range(0, counter.count, BATCH):
            made = Event.objects.using(db).bulk_create(
                Event(
                    guide_id=counter.guide_id,
                    kind=counter.kind,
                    question_slug=counter.question_slug,
                    answer_slug=counter.answer_slug,
                )
                for _ in range(min(BATCH, counter.count - start))
            )
            first = first or made[0].pk
        if first is not None:  # rows made just now are the newest: set their day
            noon = datetime.combine(counter.day, time(12), tzinfo=UTC)
            Event.objects.using(db).filter(pk__gte=first).update(created_at=noon)


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0007_troubleshooter_efficacy_kinds_efforts"),
    ]

    operations = [
        migrations.AddField(
            model_name="stepoutcome",
            name="token",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The random id of the answer form it came from: a retried answer is not stored twice.",
                max_length=32,
                null=True,
                unique=True,
            ),
        ),
        migrations.CreateModel(
            name="QuestionnaireCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(help_text="The day, in the site's time zone.")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("start", "Started"),
                            ("question", "Question shown"),
                            ("answer", "Question answered"),
                            ("step", "Fix step shown"),
                            ("hand_off", "Hand-off shown"),
                            ("result", "Result shown (before fix steps came one at a time)"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "question_slug",
                    models.SlugField(
                        blank=True,
                        db_index=False,
                        help_text="The question or fix step shown or answered.",
                        max_length=100,
                    ),
                ),
                ("answer_slug", models.SlugField(blank=True, db_index=False, max_length=60)),
                ("count", models.PositiveBigIntegerField(default=0)),
                (
                    "guide",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="questionnaire_counts",
                        to="guides.guide",
                    ),
                ),
            ],
            options={
                "ordering": ["-day"],
                "indexes": [models.Index(fields=["day"], name="guides_ques_day_5121c9_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("guide", "day", "kind", "question_slug", "answer_slug"),
                        name="one_count_per_screen_and_day",
                    )
                ],
            },
        ),
        migrations.RunPython(events_to_daily_counts, daily_counts_to_events),
        migrations.DeleteModel(
            name="QuestionnaireEvent",
        ),
    ]
