"""A backup taken while the site runs restores into a fresh database with the same rows and
the same timeline; a damaged backup fails the drill."""

import io
import json
import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from zhitong.core.events import event_record
from zhitong.testing import factories as f


def _some_history():
    district = f.make_district()
    for i in range(5):
        opinion = f.OpinionFactory(district=district, subject=f"第{i}件")
        with transaction.atomic():
            event_record(actor=None, subject=opinion, verb="received", note=f"第{i}条记录")


def _backup_and_drill(tmp_path) -> tuple[dict, str]:
    folder = tmp_path / "backup"
    call_command("backup_create", to=str(folder), stdout=io.StringIO())
    manifest = json.loads((folder / "manifest.json").read_text())
    out = io.StringIO()
    call_command("backup_drill", str(folder), stdout=out)
    return manifest, out.getvalue()


# transaction=True: a backup is taken between transactions, as on a live site (the test's
# own open transaction would hold the source database's lock).
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup")
def test_a_sqlite_backup_restores_with_the_same_rows_and_timeline(tmp_path):
    _some_history()
    manifest, out = _backup_and_drill(tmp_path)
    assert manifest["counts"]["opinions_opinion"] == 5
    assert manifest["timeline"]["events"] == 5
    assert "恢复演练通过" in out and "5 条办理记录与备份时一致" in out


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup")
def test_a_backup_whose_timeline_was_changed_fails_the_drill(tmp_path):
    _some_history()
    folder = tmp_path / "backup"
    call_command("backup_create", to=str(folder), stdout=io.StringIO())
    # Another program changes the copy (the trigger's guard function does not exist there:
    # it is dropped first, as a tamperer would).
    with sqlite3.connect(folder / "database.sqlite3") as copy:
        copy.execute("DROP TRIGGER core_event_no_update")
        copy.execute(
            "UPDATE core_event SET note = '改过' WHERE id = (SELECT min(id) FROM core_event)"
        )
    copy.close()
    err = io.StringIO()
    with pytest.raises(CommandError, match="恢复演练失败"):
        call_command("backup_drill", str(folder), stdout=io.StringIO(), stderr=err)
    assert "timeline differs" in err.getvalue()


@pytest.mark.django_db
def test_a_missing_manifest_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="manifest"):
        call_command("backup_drill", str(tmp_path), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore")
def test_a_postgresql_backup_restores_into_a_fresh_database(tmp_path):
    _some_history()
    manifest, out = _backup_and_drill(tmp_path)
    assert manifest["vendor"] == "postgresql"
    assert manifest["counts"]["opinions_opinion"] == 5
    assert "恢复演练通过" in out
