from django.db import migrations, models
from django.utils.text import slugify


def name_existing_entries(apps, schema_editor):
    """Give each existing FAQ entry a slug from its question, unique within its guide."""
    FAQEntry = apps.get_model("guides", "FAQEntry")
    taken = set()
    for entry in FAQEntry.objects.order_by("guide_id", "order", "id"):
        base = slugify(entry.question)[:90] or "question"
        slug, n = base, 2
        while (entry.guide_id, slug) in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add((entry.guide_id, slug))
        entry.slug = slug
        entry.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("guides", "0005_follow_ups_keep_their_condition")]

    operations = [
        migrations.AddField(
            model_name="faqentry",
            name="slug",
            field=models.SlugField(default="", help_text="Part of the link to this answer (#faq-…).", max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(name_existing_entries, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="faqentry",
            constraint=models.UniqueConstraint(fields=("guide", "slug"), name="unique_faq_slug_per_guide"),
        ),
        migrations.AddField(
            model_name="guide",
            name="support",
            field=models.TextField(
                blank=True,
                help_text="Markdown. How to reach the app's own support, shown when none of the fixes helped.",
            ),
        ),
        migrations.AddField(
            model_name="guide",
            name="support_html",
            field=models.TextField(blank=True, editable=False),
        ),
    ]
