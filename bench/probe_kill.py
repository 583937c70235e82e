"""Fault probe: citizens submit through gunicorn on PostgreSQL while the application and the
database are killed (kill -9) and restarted; afterwards every acknowledged submission must
exist exactly once, with one "received" event, and no opinion may exist twice.

Each simulated citizen does what a browser does: loads the form (CSRF cookie, one-time
key), posts it, and when the answer does not come (connection refused or reset, a 5xx),
posts the same form again, up to a minute. "Acknowledged" means a redirect to the
confirmation page was received.

Run (as root, on a machine whose PostgreSQL may be restarted):
    .venv/bin/python bench/probe_kill.py
Env: PROBE_SECONDS=60, PROBE_CLIENTS=6, PROBE_PORT=8133,
PROBE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhitong_probe_kill (dropped and made).
Prints a Markdown report; writes bench/out/kill.md.
"""

import datetime
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("PROBE_SECONDS", "60"))
CLIENTS = int(os.environ.get("PROBE_CLIENTS", "6"))
PORT = int(os.environ.get("PROBE_PORT", "8133"))
DB_URL = os.environ.get(
    "PROBE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhitong_probe_kill"
)
BASE = f"http://127.0.0.1:{PORT}"

ENV = {
    **os.environ,
    "DATABASE_URL": DB_URL,
    "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
    "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
    "HTTPS": "off",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECRET_KEY": "probe-only-not-secret-" + "x" * 40,
}
ENV.pop("DEBUG", None)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def recreate_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=ENV, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "seed_demo", "--force"], env=ENV, check=True, capture_output=True
    )


def station_code() -> str:
    out = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "shell",
            "-c",
            "from zhitong.stations.models import Station; from zhitong.regions.models import "
            "RegionLevel; print(Station.objects.filter(is_active=True, "
            "region__level=RegionLevel.COMMUNITY).order_by('pk').first().public_code)",
        ],
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def start_app() -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "30",
            "zhitong.wsgi",
        ],
        env=ENV,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_up(timeout=30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{BASE}/opinions/track/", timeout=2)  # noqa: S310
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise RuntimeError("the application did not come up")


class Citizen(threading.Thread):
    def __init__(self, number: int, url: str, stop: threading.Event, results: dict):
        super().__init__(daemon=True)
        self.number, self.url, self.stop, self.results = number, url, stop, results

    def run(self):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        i = 0
        while not self.stop.is_set():
            i += 1
            try:
                page = opener.open(self.url, timeout=10).read().decode()
            except Exception:  # noqa: BLE001 - the site is down: try again
                time.sleep(0.3)
                continue
            key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": csrf,
                    "submission_key": key,
                    "subject": f"探针{self.number}-{i}",
                    "content": "小区门口路灯不亮，晚上出行不便。",
                    "address": "首义路12号",
                    "submitter_name": "",
                    "submitter_phone": "",
                    "submitter_email": "",
                }
            ).encode()
            self.results["sent"] += 1
            started = time.monotonic()
            while time.monotonic() - started < 60:
                request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
                    self.url, data=body, headers={"Referer": self.url}
                )
                try:
                    opener.open(request, timeout=15)
                    status = 200
                except urllib.error.HTTPError as answer:
                    status = answer.code
                except Exception:  # noqa: BLE001 - refused or reset: post the same form again
                    status = 0
                if status in (302, 303):
                    self.results["acked"].append(key)
                    break
                if status == 400 or status == 429:
                    self.results["refused"] += 1
                    break
                self.results["retries"] += 1
                time.sleep(0.5)


def _stored_key(signed: str) -> str:
    """The key as the opinion stores it: the form carries it signed."""
    from django.conf import settings
    from django.core import signing

    if not settings.configured:
        settings.configure(SECRET_KEY=ENV["SECRET_KEY"])
    return signing.loads(signed, salt="zhitong.opinions.submission_key", fallback_keys=[])


def verify(acked: list[str]) -> dict:
    import psycopg

    acked = [_stored_key(key) for key in acked]
    with psycopg.connect(DB_URL) as conn:
        rows = conn.execute(
            "SELECT o.submission_key, count(*) OVER (PARTITION BY o.submission_key), "
            "(SELECT count(*) FROM core_event e JOIN django_content_type t "
            " ON t.id = e.content_type_id AND t.app_label = 'opinions' AND t.model = 'opinion' "
            " WHERE e.object_id = o.id::text AND e.verb = 'received') "
            "FROM opinions_opinion o WHERE o.subject LIKE '探针%'"
        ).fetchall()
    stored = {key: (copies, received) for key, copies, received in rows}
    return {
        "stored": len(rows),
        "acked": len(acked),
        "acked_missing": sum(1 for key in acked if key not in stored),
        "duplicated": sum(1 for copies, _ in stored.values() if copies > 1),
        "bad_timelines": sum(1 for _, received in stored.values() if received != 1),
        "stored_not_acked": len(set(stored) - set(acked)),
    }


def main() -> None:
    recreate_database()
    url = f"{BASE}/opinions/new/station/{station_code()}/"
    app = start_app()
    wait_up()
    stop = threading.Event()
    results = {"sent": 0, "acked": [], "retries": 0, "refused": 0}
    citizens = [Citizen(n, url, stop, results) for n in range(CLIENTS)]
    for citizen in citizens:
        citizen.start()
    faults = []
    started = time.monotonic()
    step = SECONDS / 5
    time.sleep(step)
    # 1. kill -9 the whole application (master and workers), then start it again.
    os.killpg(app.pid, signal.SIGKILL)
    faults.append(f"{time.monotonic() - started:.0f} s: kill -9 of gunicorn (all processes)")
    time.sleep(2)
    app = start_app()
    wait_up()
    time.sleep(step)
    # 2. kill -9 PostgreSQL's postmaster: every backend dies; then start it again.
    pid = int(Path(f"/var/run/postgresql/{_cluster()}-main.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    faults.append(f"{time.monotonic() - started:.0f} s: kill -9 of the PostgreSQL postmaster")
    time.sleep(2)
    subprocess.run(  # noqa: S603
        ["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", _cluster(), "main", "start"],
        check=False,
    )
    time.sleep(step)
    # 3. kill -9 one worker in the middle of requests.
    workers = subprocess.run(  # noqa: S603
        ["/usr/bin/pgrep", "-P", str(app.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    if workers:
        os.kill(int(workers[0]), signal.SIGKILL)
        faults.append(f"{time.monotonic() - started:.0f} s: kill -9 of one gunicorn worker")
    time.sleep(max(0.0, SECONDS - (time.monotonic() - started)))
    stop.set()
    for citizen in citizens:
        citizen.join(90)
    os.killpg(app.pid, signal.SIGTERM)
    outcome = verify(results["acked"])
    report = [
        f"# Kill probe ({datetime.date.today()})",
        "",
        f"- {CLIENTS} citizens for {SECONDS} s through gunicorn (2 workers) on PostgreSQL",
        *[f"- fault at {f}" for f in faults],
        f"- forms posted: {results['sent']}, acknowledged: {outcome['acked']}, "
        f"re-posts after no answer: {results['retries']}, refused (400/429): {results['refused']}",
        f"- acknowledged but missing: {outcome['acked_missing']}",
        f"- stored twice (one form, two opinions): {outcome['duplicated']}",
        f"- opinions without exactly one 'received' event: {outcome['bad_timelines']}",
        f"- stored but never acknowledged (the citizen gave up): {outcome['stored_not_acked']}",
    ]
    text = "\n".join(report) + "\n"
    print(text)
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "kill.md").write_text(text)
    bad = outcome["acked_missing"] + outcome["duplicated"] + outcome["bad_timelines"]
    sys.exit(1 if bad else 0)


def _cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


if __name__ == "__main__":
    main()
