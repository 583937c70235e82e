"""The address the site is served at: `make run` derives PUBLIC_BASE_URL from the host and
port it serves (the LAN address for HOST=0.0.0.0), allows that host in DEBUG, and says how a
phone on the same network opens the site."""

import json
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from zhitong.core import netaddr
from zhitong.core.netaddr import phone_hint, served_base_url
from zhitong.env import debug_allowed_hosts

ROOT = Path(__file__).resolve().parents[4]
# Every interface, as `make run HOST=0.0.0.0` listens.
EVERY = "0.0.0.0"  # noqa: S104


def test_a_named_host_is_its_own_address():
    assert served_base_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert served_base_url("192.168.1.20", "8101") == "http://192.168.1.20:8101"
    assert served_base_url("::1", 8000) == "http://[::1]:8000"


def test_every_interface_means_the_lan_address():
    assert served_base_url(EVERY, 8000, lan="192.168.1.20") == "http://192.168.1.20:8000"
    assert served_base_url("::", 8000, lan="10.0.0.7") == "http://10.0.0.7:8000"


def test_every_interface_without_a_network_falls_back_to_this_machine(monkeypatch):
    monkeypatch.setattr(netaddr, "lan_ip", lambda: None)
    assert served_base_url(EVERY, 8000) == "http://127.0.0.1:8000"


def test_lan_ip_is_a_real_non_loopback_address_or_none():
    address = netaddr.lan_ip()
    if address is not None:
        assert not netaddr.is_loopback(address)
        assert address != EVERY


def test_the_command_prints_the_base_url():
    out = StringIO()
    call_command("served_address", host="127.0.0.1", port=8101, stdout=out)
    assert out.getvalue().strip() == "http://127.0.0.1:8101"
    out = StringIO()
    call_command("served_address", host=EVERY, port=8101, stdout=out)
    expected = served_base_url(EVERY, 8101)
    assert out.getvalue().strip() == expected


def test_debug_allows_the_public_address_host():
    assert debug_allowed_hosts("http://192.168.1.20:8000") == [
        "127.0.0.1",
        "localhost",
        "192.168.1.20",
    ]
    assert debug_allowed_hosts("http://127.0.0.1:8000") == ["127.0.0.1", "localhost"]
    assert debug_allowed_hosts("http://[fe80::1]:8000")[-1] == "[fe80::1]"
    assert debug_allowed_hosts("http://[bad") == ["127.0.0.1", "localhost"]


def _settings(env, tmp_path) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.PUBLIC_BASE_URL, s.ALLOWED_HOSTS]))"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, manage.py)
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "ZHITONG_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_in_debug_serve_the_public_address(tmp_path):
    base, hosts = _settings({"DEBUG": "1", "PUBLIC_BASE_URL": "http://10.0.0.5:8101/"}, tmp_path)
    assert base == "http://10.0.0.5:8101"
    assert "10.0.0.5" in hosts


def test_a_deployment_names_its_hosts_itself(tmp_path):
    base, hosts = _settings(
        {
            "SECRET_KEY": "k" * 50,
            "PUBLIC_BASE_URL": "https://rd.example.gov.cn",
            "ALLOWED_HOSTS": "rd.example.gov.cn",
        },
        tmp_path,
    )
    assert base == "https://rd.example.gov.cn"
    assert hosts == ["rd.example.gov.cn"]


def test_phone_hint_for_each_kind_of_host():
    every = phone_hint(EVERY, 8000, base_url="http://192.168.1.20:8000", lan="192.168.1.20")
    assert "http://192.168.1.20:8000/" in every
    offline = phone_hint(EVERY, 8000, base_url="http://127.0.0.1:8000", lan=None)
    assert "没有连上局域网" in offline
    local = phone_hint("127.0.0.1", 8000, base_url="http://127.0.0.1:8000", lan="192.168.1.20")
    assert "make run HOST=0.0.0.0" in local and "http://192.168.1.20:8000/" in local
    named = phone_hint("192.168.1.20", 8101, base_url="http://192.168.1.20:8101", lan=None)
    assert "http://192.168.1.20:8101/" in named


FAKE_MANAGE = """#!/bin/sh
if [ "$1" = "served_address" ]; then exec "{python}" "{root}/manage.py" "$@"; fi
echo "CALL $1 PUBLIC_BASE_URL=$PUBLIC_BASE_URL DEBUG=$DEBUG"
"""


def _make_run(tmp_path, *args, env=None):
    fake = tmp_path / "manage.sh"
    fake.write_text(FAKE_MANAGE.format(python=sys.executable, root=ROOT))
    fake.chmod(0o755)
    result = subprocess.run(  # noqa: S603 (make, with this repository's Makefile)
        [
            shutil.which("make") or "make",
            "-s",
            "-o",
            "install",
            "-o",
            ".venv/.installed-stamp",
            "run",
            f"MANAGE={fake}",
            *args,
        ],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ZHITONG_DATA_DIR": str(tmp_path),
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("CALL ")]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_every_step_with_the_address_it_serves_at(tmp_path):
    calls = _make_run(tmp_path, f"HOST={EVERY}", "PORT=8123")
    expected = served_base_url(EVERY, 8123)
    assert [c.split()[1] for c in calls] == [
        "migrate",
        "seed_demo",
        "handling_check_deadlines",
        "print_demo_accounts",
        "runserver",
    ]
    assert all(f"PUBLIC_BASE_URL={expected} DEBUG=1" in c for c in calls)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_keeps_a_public_base_url_the_user_set(tmp_path):
    calls = _make_run(tmp_path, env={"PUBLIC_BASE_URL": "https://rd.example.gov.cn"})
    assert calls and all("PUBLIC_BASE_URL=https://rd.example.gov.cn " in c for c in calls)
    calls = _make_run(tmp_path, "PUBLIC_BASE_URL=https://b.example.cn")
    assert calls and all("PUBLIC_BASE_URL=https://b.example.cn " in c for c in calls)
