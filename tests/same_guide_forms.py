"""Fill admin add and change forms as a browser would, inline rows included, for the same-guide tests."""

import html
import re

from guides.models import Guide
from tests.admin_forms import admin_form, admin_url
from tests.builders import troubleshooter_data

SECOND = "whatsapp"  # a second guide an editor builds beside the bundled TikTok one


def second_guide(load) -> Guide:
    """A small WhatsApp guide with a troubleshooter: causes, fix steps, symptoms, questions, answers."""
    load(troubleshooter_data(SECOND, causes=3))
    guide = Guide.objects.get(slug=SECOND)
    guide.title = "Why won't WhatsApp send my messages?"
    guide.save()
    return guide


def open_form(client, obj_or_model, view="change", query="") -> dict[str, list[str]]:
    """The form of an add or change page, as the browser would submit it untouched."""
    page = client.get(admin_url(obj_or_model, view) + query)
    assert page.status_code == 200
    return admin_form(page.content.decode(), f"{obj_or_model._meta.model_name}_form")


def add_row(data: dict, prefix: str, **fields) -> str:
    """Press "Add another" in the inline ``prefix`` and fill the new row; return the row's prefix."""
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]
    row = f"{prefix}-{index}"
    for key, values in list(data.items()):
        if key.startswith(f"{prefix}-__prefix__-"):
            data[key.replace("__prefix__", str(index), 1)] = list(values)
        elif key.startswith(f"{prefix}-empty-") and "__prefix__" not in key:
            data[key.replace(f"{prefix}-empty-", f"{row}-", 1)] = list(values)
    for name, value in fields.items():
        data[f"{row}-{name}"] = value if isinstance(value, list) else [str(value)]
    return row


def refusal(response) -> str:
    """The page's words after a refused save (the admin shows the form again with its errors)."""
    assert response.status_code == 200, f"saved anyway ({response.status_code})"
    return response.content.decode()


def options(page: str, name: str) -> list[str]:
    """The labels of the options of the <select> called ``name`` (the empty choice left out)."""
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [html.unescape(label) for label in re.findall(r'<option value="[^"]+"[^>]*>(.*?)</option>', select)]


def select_tag(page: str, name: str) -> str:
    """The opening <select> tag called ``name``, with its attributes (an autocomplete's address among them)."""
    return html.unescape(re.search(rf'<select name="{re.escape(name)}"[^>]*>', page).group(0))
