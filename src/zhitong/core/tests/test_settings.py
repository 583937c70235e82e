"""Settings read from the environment: no production start without a secret key."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def run_check(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_debug_the_site_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_check({"DEBUG": "0", "ZHITONG_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_generates_a_local_key_file_once(tmp_path):
    env = {"DEBUG": "1", "ZHITONG_DATA_DIR": str(tmp_path)}
    assert run_check(env).returncode == 0
    key = (tmp_path / ".secret_key").read_text()
    assert len(key) > 40
    assert run_check(env).returncode == 0
    assert (tmp_path / ".secret_key").read_text() == key


def test_with_a_secret_key_and_no_debug_it_starts(tmp_path):
    env = {"DEBUG": "0", "SECRET_KEY": "k" * 50, "ZHITONG_DATA_DIR": str(tmp_path)}
    result = run_check(env)
    assert result.returncode == 0, result.stderr


def test_manage_py_in_a_bare_checkout_runs_in_development_mode(tmp_path):
    result = run_check({"ZHITONG_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr


def test_manage_py_with_a_database_configured_still_needs_a_secret_key(tmp_path):
    result = run_check(
        {"ZHITONG_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
