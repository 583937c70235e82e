"""The English catalog is complete: every Chinese message has an English translation."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
PO_FILE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"


def read_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy), from a .po file written by makemessages."""
    entries: dict[str, tuple[str, bool]] = {}
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        msgid = _field(block, "msgid")
        if msgid is None or msgid == "":
            continue
        context = _field(block, "msgctxt") or ""
        plural = _field(block, "msgstr[0]")
        msgstr = plural if plural is not None else _field(block, "msgstr")
        entries[context + "\x04" + msgid] = (msgstr or "", fuzzy)
    return entries


def _field(block: str, name: str) -> str | None:
    match = re.search(rf'^{re.escape(name)} ((?:".*"\n?)+)', block + "\n", flags=re.MULTILINE)
    if not match:
        return None
    parts = re.findall(r'"(.*)"', match.group(1))
    return "".join(parts)


def test_every_message_has_an_english_translation():
    entries = read_po(PO_FILE)
    assert len(entries) > 100
    missing = [key.split("\x04")[1] for key, (text, fuzzy) in entries.items() if not text or fuzzy]
    assert missing == [], f"{len(missing)} untranslated or fuzzy, e.g. {missing[:10]}"


def test_the_compiled_catalog_is_current():
    mo = PO_FILE.with_suffix(".mo")
    assert mo.exists()
    assert mo.stat().st_mtime >= PO_FILE.stat().st_mtime - 1


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_the_catalog_holds_every_message_in_the_code(tmp_path):
    copy = tmp_path / "zhitong"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "zhitong.settings_test",
            "PYTHONPATH": str(tmp_path),
            "ZHITONG_DATA_DIR": str(tmp_path / "data"),
        },
    )
    fresh = read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    committed = read_po(PO_FILE)
    new = sorted(key.split("\x04")[1] for key in fresh.keys() - committed.keys())
    assert new == [], f"run `make messages`: {len(new)} messages missing, e.g. {new[:10]}"
