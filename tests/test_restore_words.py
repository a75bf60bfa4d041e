"""The restore page says, before Save, which fields change and to what, in the words the forms use."""

import html
import re

import reversion
from django.urls import reverse
from reversion.models import Version

from guides.models import Cause, Efficacy, Guide
from tests.admin_forms import admin_form, admin_url, form_errors, save_change
from tests.builders import guide_data


def _page_text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _change_efficacy_on_the_cause_page(client, cause, link, efficacy):
    url = admin_url(cause)
    data = admin_form(client.get(url).content.decode(), "cause_form")
    row = next(k[: -len("-id")] for k, v in data.items() if k.startswith("cause_fixes-") and v == [str(link.pk)])
    data[f"{row}-efficacy"] = [efficacy]
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)


def _a_cause_with_a_fix_step(guide):
    cause = guide.causes.filter(cause_fixes__efficacy=Efficacy.OFTEN).first()
    return cause, cause.cause_fixes.filter(efficacy=Efficacy.OFTEN).select_related("fix_step").first()


def test_the_restore_page_names_each_field_that_changes_and_its_old_value(editor_client, seed_guide):
    cause, link = _a_cause_with_a_fix_step(seed_guide)
    loaded = Version.objects.get_for_object(cause).order_by("pk").first()
    summary = cause.summary
    save_change(editor_client, cause, summary="A summary written later.")
    _change_efficacy_on_the_cause_page(editor_client, cause, link, Efficacy.RARELY)

    page = _page_text(editor_client.get(reverse("admin:guides_cause_revision", args=[cause.pk, loaded.pk])))

    assert f"the summary goes back to “{summary[:60]}" in page  # quoted, shortened if long
    assert f"the efficacy of “{link.fix_step.title}” goes back to Often" in page
    assert "the title goes back" not in page  # the title did not change


def test_a_restore_that_changes_nothing_says_so(editor_client, seed_guide):
    cause, _ = _a_cause_with_a_fix_step(seed_guide)
    save_change(editor_client, cause, summary="The latest summary.")
    latest = Version.objects.get_for_object(cause).first()

    page = _page_text(editor_client.get(reverse("admin:guides_cause_revision", args=[cause.pk, latest.pk])))

    assert "Save changes nothing" in page
    assert "goes back to" not in page


def test_the_restore_page_says_which_related_causes_come_back(editor_client, seed_guide):
    cause = seed_guide.causes.filter(related__isnull=False).first()
    loaded = Version.objects.get_for_object(cause).order_by("pk").first()
    names = sorted(f"“{c.title}”" for c in cause.related.all())
    with reversion.create_revision():
        cause.related.clear()
        reversion.add_to_revision(cause)

    page = _page_text(editor_client.get(reverse("admin:guides_cause_revision", args=[cause.pk, loaded.pk])))

    sentence = re.search(r"its related causes go back to ([^;.]*)", page)
    assert sentence, page[:2000]
    assert sorted(re.findall(r"“[^”]*”", sentence.group(1))) == names


def test_a_version_that_linked_into_another_guide_is_not_restored_and_the_page_says_why(
    editor_client, seed_guide, load
):
    """A database from before the same-guide rule may hold such a version: restoring it must not bring the
    link back, nor fail with a server error."""
    load(guide_data(slug="whatsapp"))
    other = Cause.objects.filter(guide=Guide.objects.get(slug="whatsapp")).first()
    cause = seed_guide.causes.first()
    through = Cause.related.through
    through.objects.bulk_create([through(from_cause=cause, to_cause=other)])  # past the guards, as before them
    with reversion.create_revision():
        reversion.add_to_revision(cause)
    linked = Version.objects.get_for_object(cause).order_by("-pk").first()
    through.objects.filter(from_cause=cause, to_cause=other).delete()

    url = reverse("admin:guides_cause_revision", args=[cause.pk, linked.pk])
    form = admin_form(editor_client.get(url).content.decode(), "cause_form")
    response = editor_client.post(url, form, follow=True)  # Save on the restore page

    assert response.status_code == 200
    assert "whatsapp" in _page_text(response).lower()
    assert not cause.related.filter(pk=other.pk).exists()
