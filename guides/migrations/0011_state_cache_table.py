"""The table of the "state" cache (settings.CACHES): the content version and the rate-limit counters.

Created by migrate, so every deploy has it, whatever the cache settings were when it ran: a site that
moves its state from Redis back to the database later finds the table there.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "guides_state_cache"  # settings.STATE_CACHE_TABLE


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("guides", "0010_troubleshooter_wording")]

    operations = [migrations.RunPython(create, drop)]
