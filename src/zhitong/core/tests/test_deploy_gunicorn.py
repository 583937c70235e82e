"""The production server as deployed: gunicorn with deploy/gunicorn.conf.py (two workers),
DEBUG off and HTTPS on, behind a proxy on 127.0.0.1 (this test plays nginx)."""

import http.client
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOST = "zhitong.example.gov.cn"
CODE = "2345-6789-AB"  # a well-formed tracking code no opinion has

pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deploy")
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "gunicorn-test-" + "Zq8w" * 15,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "ZHITONG_DATA_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "TRUSTED_PROXIES": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(  # noqa: S603 (this interpreter, manage.py)
            [sys.executable, "manage.py", *command, "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(  # noqa: S603 (the venv's gunicorn, our config)
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "zhitong.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=30)
    log.close()
    shutil.rmtree(tmp, ignore_errors=True)


def get(port, path, **headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": HOST, **headers})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_gunicorn_is_a_pinned_dependency():
    assert '"gunicorn>=' in (ROOT / "pyproject.toml").read_text()
    lock = (ROOT / "requirements.lock").read_text().splitlines()
    assert any(line.startswith("gunicorn==") for line in lock)


def test_plain_http_is_sent_to_https(server):
    response = get(server, "/stations/")
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/stations/"


def test_the_proxys_https_is_believed_and_answered_with_hsts_and_csp(server):
    response = get(server, "/stations/", **{"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")


def test_static_files_come_from_whitenoise_compressed(server):
    response = get(
        server,
        "/static/css/zhitong.css",
        **{"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"},
    )
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/css")
    assert response.getheader("Content-Encoding") == "gzip"


def test_each_client_behind_the_proxy_has_its_own_lookup_limit(server):
    def lookup(client):
        return get(
            server,
            f"/opinions/track/{CODE}/",
            **{"X-Forwarded-Proto": "https", "X-Forwarded-For": client},
        ).status

    # 20 failed lookups per address, whichever of the two workers answers.
    statuses = [lookup("198.51.100.7") for _ in range(24)]
    assert statuses == [404] * 20 + [429] * 4
    # Another client of the same proxy is not held up by that.
    assert lookup("203.0.113.9") == 404
