"""On PostgreSQL the application runs as a role that cannot erase the timeline: no UPDATE,
DELETE or TRUNCATE of events, no disabling of triggers, no deleting an opinion."""

import os

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from zhitong.core.events import event_record
from zhitong.testing import factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles: PostgreSQL"),
]

ROLE = f"zhitong_app_test_{os.getpid()}"

REFUSED = [
    "DELETE FROM core_event",
    "UPDATE core_event SET note = 'x'",
    "TRUNCATE core_event",
    "TRUNCATE opinions_opinion CASCADE",
    "ALTER TABLE core_event DISABLE TRIGGER ALL",
    "DROP TABLE core_event",
    "DELETE FROM opinions_opinion",
]


@pytest.fixture
def app_role():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    call_command("db_grant_app_role", ROLE, stdout=open(os.devnull, "w"))  # noqa: SIM115
    yield ROLE
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f"DROP OWNED BY {ROLE}")
        cursor.execute(f"DROP ROLE {ROLE}")


def _as_role(role, sql, params=None):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(sql, params)


@pytest.mark.parametrize("sql", REFUSED)
def test_the_application_role_cannot_erase_history(app_role, sql):
    district = f.make_district()
    opinion = f.OpinionFactory(district=district)
    with transaction.atomic():
        event_record(actor=None, subject=opinion, verb="received")
    with pytest.raises(DatabaseError):
        _as_role(app_role, sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_event")
        assert cursor.fetchone()[0] == 1


def test_the_application_role_still_does_its_work(app_role):
    district = f.make_district()
    opinion = f.OpinionFactory(district=district)
    _as_role(
        app_role,
        "INSERT INTO core_event (occurred_at, actor_name, content_type_id, object_id, verb, "
        "from_state, to_state, note, data, district_code) SELECT now(), '', id, %s, "
        "'received', '', '', '', '{}', '' FROM django_content_type "
        "WHERE app_label = 'opinions' AND model = 'opinion'",
        [str(opinion.pk)],
    )
    _as_role(app_role, "UPDATE opinions_opinion SET subject = 'x' WHERE id = %s", [opinion.pk])
    _as_role(app_role, "DELETE FROM django_session")
