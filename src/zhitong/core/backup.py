"""Backups while the site runs, and the restore drill that proves one can be restored.

A backup is a folder:

    database.sqlite3 | database.pgdump   the database, a consistent snapshot taken online
                                         (SQLite's backup API; pg_dump's snapshot)
    media.tar                            uploaded files (citizens' photos, replies' files)
    manifest.json                        when, from which database, rows per table, and a
                                         digest of the timeline (core_event) at that moment

The secret key is not in it: it decrypts nothing the backup holds, but it signs sessions,
confirmation links and rating keys, so it is kept apart (docs/backup.md says where).

The drill restores a backup into a fresh database (a temporary SQLite file, or a new
PostgreSQL database), then compares the rows of every table and the timeline's digest with
the manifest, and the media files with the archive; it never touches the live database.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar"
FORMAT = 1
# The timeline's digest covers these columns, in id order: what a restore must keep.
TIMELINE_COLUMNS = (
    "id",
    "occurred_at",
    "actor_id",
    "content_type_id",
    "object_id",
    "verb",
    "from_state",
    "to_state",
    "note",
)


class BackupError(Exception):
    """A backup could not be made, or a restore did not match its manifest."""


@dataclass
class DrillReport:
    tables: int
    rows: int
    events: int
    media_files: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


# --- reading a database (live or restored) through a DB-API cursor --------------------------


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    return sorted(row[0] for row in cursor.fetchall())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - catalog names
        counts[table] = cursor.fetchone()[0]
    return counts


def _timeline_digest(cursor) -> str:
    digest = hashlib.sha256()
    columns = ", ".join(TIMELINE_COLUMNS)
    cursor.execute(f"SELECT {columns} FROM core_event ORDER BY id")  # noqa: S608 - constants
    while True:
        rows = cursor.fetchmany(2000)
        if not rows:
            break
        for row in rows:
            digest.update(
                json.dumps([_plain(v) for v in row], ensure_ascii=False, default=str).encode()
            )
    return digest.hexdigest()


def _plain(value):
    # A backup is compared with its restore on the same database kind; only PostgreSQL's
    # datetimes need a form that does not depend on the connection's time zone.
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat(sep=" ")
    return value


# --- making a backup ------------------------------------------------------------------------


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _archive_media(target: Path) -> int:
    root = _media_root()
    count = 0
    with tarfile.open(target, "w") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(root)))
                    count += 1
    return count


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict: dict, dbname: str | None = None) -> list[str]:
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    args += ["-d", dbname or str(settings_dict["NAME"])]
    return args


def backup_create(folder: Path) -> dict:
    """Write a backup of the live database and the uploaded files into `folder` (created;
    it must not exist yet). Returns the manifest."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    connection.ensure_connection()
    if vendor == "sqlite":
        target = folder / "database.sqlite3"
        with sqlite3.connect(target) as copy:
            # The backup API copies a consistent snapshot while writers go on.
            connection.connection.backup(copy)
        copy.close()
        with sqlite3.connect(target) as snapshot:
            cursor = snapshot.cursor()
            counts = _counts(cursor, "sqlite")
            digest = _timeline_digest(cursor)
        snapshot.close()
        database = target.name
    elif vendor == "postgresql":
        target = folder / "database.pgdump"
        # Counted and digested in the dump's own snapshot: exported, then shared with
        # pg_dump, so the manifest describes exactly the rows the dump holds.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                cursor.execute("SELECT pg_export_snapshot()")
                (snapshot_id,) = cursor.fetchone()
                result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                    [
                        shutil.which("pg_dump") or "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        f"--snapshot={snapshot_id}",
                        "--file",
                        str(target),
                        *_pg_args(connection.settings_dict),
                    ],
                    env=_pg_env(connection.settings_dict),
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
                counts = _counts(cursor, "postgresql")
                digest = _timeline_digest(cursor)
            finally:
                cursor.execute("COMMIT")
        database = target.name
    else:
        raise BackupError(f"no backup method for {vendor}")
    media_files = _archive_media(folder / MEDIA_ARCHIVE)
    manifest = {
        "format": FORMAT,
        "made_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "vendor": vendor,
        "database": database,
        "counts": counts,
        "timeline": {"events": counts.get("core_event", 0), "sha256": digest},
        "media_files": media_files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


# --- the restore drill ----------------------------------------------------------------------


def _compare(manifest: dict, counts: dict, digest: str) -> list[str]:
    problems = []
    for table, expected in sorted(manifest["counts"].items()):
        found = counts.get(table)
        if found != expected:
            problems.append(f"{table}: {expected} rows backed up, {found} restored")
    if digest != manifest["timeline"]["sha256"]:
        problems.append("core_event: the restored timeline differs from the one backed up")
    return problems


def _drill_sqlite(folder: Path, manifest: dict) -> tuple[dict, str]:
    with tempfile.TemporaryDirectory() as scratch:
        restored = Path(scratch) / "restored.sqlite3"
        shutil.copyfile(folder / manifest["database"], restored)
        with sqlite3.connect(restored) as database:
            cursor = database.cursor()
            (check,) = cursor.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise BackupError(f"the restored database is damaged: {check}")
            counts, digest = _counts(cursor, "sqlite"), _timeline_digest(cursor)
        database.close()
    return counts, digest


def _drill_postgresql(folder: Path, manifest: dict) -> tuple[dict, str]:
    import psycopg

    settings_dict = connection.settings_dict
    name = f"zhitong_restore_drill_{uuid.uuid4().hex[:10]}"
    params = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                shutil.which("pg_restore") or "pg_restore",
                "--no-owner",
                "--exit-on-error",
                *_pg_args(settings_dict, dbname=name),
                str(folder / manifest["database"]),
            ],
            env=_pg_env(settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
        with psycopg.connect(dbname=name, **params) as restored, restored.cursor() as cursor:
            counts, digest = _counts(cursor, "postgresql"), _timeline_digest(cursor)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return counts, digest


def _drill_media(folder: Path, manifest: dict) -> tuple[int, list[str]]:
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(folder / MEDIA_ARCHIVE) as tar:
        tar.extractall(scratch, filter="data")
        files = [p for p in Path(scratch).rglob("*") if p.is_file()]
    problems = []
    if len(files) != manifest["media_files"]:
        problems.append(f"media: {manifest['media_files']} files backed up, {len(files)} restored")
    return len(files), problems


def restore_drill(folder: Path) -> DrillReport:
    """Restore the backup in `folder` into a fresh database and check it against its
    manifest. Never touches the live database."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"no readable manifest in {folder}: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if manifest["vendor"] == "sqlite":
        counts, digest = _drill_sqlite(folder, manifest)
    elif manifest["vendor"] == "postgresql":
        counts, digest = _drill_postgresql(folder, manifest)
    else:
        raise BackupError(f"unknown database {manifest['vendor']!r}")
    problems = _compare(manifest, counts, digest)
    media_files, media_problems = _drill_media(folder, manifest)
    return DrillReport(
        tables=len(counts),
        rows=sum(counts.values()),
        events=counts.get("core_event", 0),
        media_files=media_files,
        problems=problems + media_problems,
    )
