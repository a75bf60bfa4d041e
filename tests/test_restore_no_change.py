"""Pressing Save without an edit records nothing, whatever line ends the text had and the browser sends."""

import pytest
from django.contrib.admin.models import LogEntry
from reversion.models import Version

from guides.models import Cause, FAQEntry
from tests.admin_forms import admin_form, admin_url, form_errors

ODD_TEXTS = {
    "stored with CR LF": "First line.\r\nSecond line.\r\n",
    "stored with lone CR": "First line.\rSecond line.",
    "leading and trailing blank lines": "\n\nFirst line.  \n\n",
    "no final line break": "Only line, no break",
}


def _press_save_unchanged(client, obj):
    """Open the change page and press Save, posting the text areas with CR LF line ends as a browser does."""
    url = admin_url(obj)
    data = admin_form(client.get(url).content.decode(), f"{obj._meta.model_name}_form")
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    return data


@pytest.mark.parametrize("text", ODD_TEXTS.values(), ids=ODD_TEXTS.keys())
def test_an_unchanged_save_of_odd_text_records_no_change(editor_client, seed_guide, text):
    cause = seed_guide.causes.exclude(facets=None).first()
    Cause.objects.filter(pk=cause.pk).update(explanation=text)
    FAQEntry.objects.filter(guide=seed_guide).update(answer=text)  # on the guide's page, in its FAQ rows
    versions, log_entries = Version.objects.count(), LogEntry.objects.count()

    posted = _press_save_unchanged(editor_client, cause)
    _press_save_unchanged(editor_client, seed_guide)

    assert "\r\n" in posted["explanation"][0] or "\n" not in text.replace("\r", "\n"), "posted as a browser posts it"
    assert Cause.objects.get(pk=cause.pk).explanation == text
    assert set(FAQEntry.objects.filter(guide=seed_guide).values_list("answer", flat=True)) == {text}
    assert Version.objects.count() == versions
    assert LogEntry.objects.count() == log_entries
