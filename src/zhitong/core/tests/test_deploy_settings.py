"""A deployment is secure by default: with DEBUG off and only SECRET_KEY, ALLOWED_HOSTS
and DATABASE_URL set, `manage.py check --deploy` has nothing to say; HTTPS=off is the
one switch for a trial over plain HTTP."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
KEY = "deploy-test-" + "k7Qz" * 15  # long and varied, as check --deploy wants


def run(args, env, tmp_path):
    return subprocess.run(  # noqa: S603 (this interpreter, manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        # Nothing else: not even ZHITONG_DATA_DIR (the SQLite file sits in tmp_path).
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path, **extra):
    return {
        "SECRET_KEY": KEY,
        "ALLOWED_HOSTS": "zhitong.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    }


SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({n: getattr(s, n) "
    "for n in ['DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE']}))"
)


def security_settings(env, tmp_path) -> dict:
    result = run(["shell", "--no-imports", "-c", SHOW], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_finds_nothing_with_only_the_three_variables(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path), tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_https_is_on_by_default_without_debug(tmp_path):
    assert security_settings(production_env(tmp_path), tmp_path) == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_https_off_turns_every_https_setting_off(tmp_path):
    env = production_env(tmp_path, HTTPS="off")
    assert security_settings(env, tmp_path) == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }
    # check --deploy says so, setting by setting.
    result = run(["check", "--deploy"], env, tmp_path)
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_debug_never_turns_https_on(tmp_path):
    # `make run` serves plain HTTP with runserver.
    env = {"DEBUG": "1", "ZHITONG_DATA_DIR": str(tmp_path)}
    assert security_settings(env, tmp_path)["SECURE_SSL_REDIRECT"] is False
    assert security_settings({**env, "HTTPS": "on"}, tmp_path) == {
        "DEBUG": True,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }


def test_the_old_secure_cookies_switch_is_refused_not_ignored(tmp_path):
    result = run(["check"], production_env(tmp_path, SECURE_COOKIES="off"), tmp_path)
    assert result.returncode != 0
    assert "SECURE_COOKIES was replaced by HTTPS" in result.stderr


def test_the_site_redirects_to_https_and_sends_hsts(tmp_path):
    script = (
        "from django.test import Client; c = Client(); host = 'zhitong.example.gov.cn'; "
        "r = c.get('/stations/', HTTP_HOST=host); print(r.status_code, r['Location']); "
        "r = c.get('/no-such-page/', HTTP_HOST=host, secure=True); "
        "print(r['Strict-Transport-Security'])"
    )
    result = run(["shell", "--no-imports", "-c", script], production_env(tmp_path), tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0] == "301 https://zhitong.example.gov.cn/stations/", result.stderr
    assert lines[1] == "max-age=31536000; includeSubDomains; preload"
