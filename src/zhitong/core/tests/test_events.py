"""The event timeline is append-only: code and database both refuse changes."""

import pytest
from django.db import DatabaseError, connection, transaction

from zhitong.core.events import event_record, events_for
from zhitong.core.models import AppendOnlyError, Event
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(district):
    actor = f.UserFactory(display_name="王工作", role="staff", region=district)
    with transaction.atomic():
        return event_record(
            actor=actor,
            subject=district,
            verb="admin_change",
            from_state="a",
            to_state="b",
            note="说明",
        )


def test_event_records_actor_name_and_subject(event, district):
    assert event.actor_name == "王工作"
    assert list(events_for(district)) == [event]
    assert (event.from_state, event.to_state) == ("a", "b")


@pytest.mark.django_db(transaction=True)
def test_event_record_outside_transaction_is_refused():
    district = f.make_district()
    with pytest.raises(RuntimeError):
        event_record(actor=None, subject=district, verb="admin_change")


def test_saving_an_existing_event_is_refused(event):
    event.note = "改过"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(note="改过")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.get(pk=event.pk).note == "说明"


def test_database_refuses_raw_update(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_event SET note = %s WHERE id = %s", ["改过", event.pk])
    assert Event.objects.get(pk=event.pk).note == "说明"


def test_database_refuses_raw_delete(event):
    # Before: SQLite had no DELETE trigger, so raw SQL could erase the timeline there.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_event WHERE id = %s", [event.pk])
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's file, opened elsewhere")
def test_another_program_opening_the_sqlite_file_cannot_delete_events(tmp_path):
    """The trigger's guard function exists only in the application's connections."""
    import sqlite3

    from zhitong.core.migrations._append_only import SQLITE_DELETE_TRIGGER

    path = tmp_path / "copy.sqlite3"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE core_event (id integer primary key, note text)")
    other.execute("INSERT INTO core_event (note) VALUES ('说明')")
    other.execute(SQLITE_DELETE_TRIGGER)
    with pytest.raises(sqlite3.OperationalError):
        other.execute("DELETE FROM core_event")
    assert other.execute("SELECT count(*) FROM core_event").fetchone() == (1,)
