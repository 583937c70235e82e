"""SQLite refuses DELETE on events too (PostgreSQL has since 0002)."""

from django.db import migrations

from zhitong.core.migrations import _append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0003_event_time_default")]
    operations = [
        migrations.RunPython(_append_only.sqlite_recreate, _append_only.sqlite_drop_delete_trigger)
    ]
