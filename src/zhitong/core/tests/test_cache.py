"""The shared cache: a database table by default, Redis with REDIS_URL; either way the
rate limits count across web processes."""

import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parents[4]
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


DATABASE_CACHE = {
    "default": {"BACKEND": "zhitong.core.cache.DatabaseCache", "LOCATION": "zhitong_cache"}
}


@pytest.mark.skipif(bool(os.environ.get("REDIS_URL")), reason="REDIS_URL is set")
def test_without_redis_the_deployed_cache_is_the_database_table():
    from zhitong import settings as deployed

    assert deployed.REDIS_URL is None
    assert deployed.CACHES["default"]["BACKEND"] == "zhitong.core.cache.DatabaseCache"
    assert deployed.CACHES["default"]["LOCATION"] == "zhitong_cache"


def test_migrate_made_the_cache_table(db):
    assert "zhitong_cache" in connection.introspection.table_names()


def test_add_incr_decr_and_expiry(db, settings):
    settings.CACHES = DATABASE_CACHE
    assert cache.add("zt:test:n", 0, timeout=60)
    assert not cache.add("zt:test:n", 5, timeout=60)
    assert [cache.incr("zt:test:n") for _ in range(3)] == [1, 2, 3]
    assert cache.decr("zt:test:n") == 2
    assert cache.get("zt:test:n") == 2
    with pytest.raises(ValueError):
        cache.incr("zt:test:missing")
    cache.set("zt:test:old", 7, timeout=-1)
    with pytest.raises(ValueError):
        cache.incr("zt:test:old")


def _count_in_processes(env: dict, tmp_path, processes: int, attempts: int, limit: int):
    """Start `processes` Python processes that each count `attempts` lookups from one
    client at the same moment, against a limit of `limit`. Return how many each was
    allowed, and the count each read once all had finished."""
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        import django
        django.setup()
        from django.conf import settings
        from django.core.cache import cache
        from zhitong.opinions import ratelimit
        start, ident, attempts, limit, done = sys.argv[1:6]
        settings.OPINIONS_RATE_LIMITS = {"lookup_ip": f"{limit}/600"}
        while time.time() < float(start):
            time.sleep(0.001)
        allowed = 0
        for _ in range(int(attempts)):
            allowed += ratelimit.hit("lookup_ip", ident)
            time.sleep(0.001)  # let the other process in between, as requests would
        # Wait for the others, then read the count they all wrote to.
        Path(done, str(Path("/proc/self").resolve().name)).touch()
        while len(list(Path(done).iterdir())) < int(sys.argv[6]):
            time.sleep(0.01)
        key = ratelimit._key("lookup_ip", ident, ratelimit.rate_for("lookup_ip"))
        print(allowed, cache.get(key))
        """
    )
    start = time.time() + 4  # every process has started Django by then
    ident = f"test-{uuid.uuid4()}"  # nobody else's count, in a Redis others may share
    done = tmp_path / f"done-{uuid.uuid4()}"
    done.mkdir()
    args = [str(start), ident, str(attempts), str(limit), str(done), str(processes)]
    procs = [
        subprocess.Popen(  # noqa: S603 (this interpreter, our script)
            [sys.executable, "-c", script, *args],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": str(ROOT / "src"),
                "DJANGO_SETTINGS_MODULE": "zhitong.settings",
                "DEBUG": "1",
                **env,
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    allowed, totals = [], []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        one, total = out.strip().splitlines()[-1].split()
        allowed.append(int(one))
        totals.append(int(total))
    print(f"allowed per process: {allowed}, count read: {totals}")
    return allowed, totals


def _database_url(tmp_path) -> str:
    """A database the processes share: the test database on PostgreSQL, a file on SQLite."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    subprocess.run(
        [sys.executable, "manage.py", "createcachetable"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "1",
            "DATABASE_URL": url,
            "ZHITONG_DATA_DIR": str(tmp_path),
        },
        check=True,
        capture_output=True,
    )
    return url


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_limit(tmp_path):
    # Two processes count 200 lookups each at once against one limit of 150: exactly 150
    # pass between them, and no increment is lost (a read-then-write incr loses some).
    env = {"DATABASE_URL": _database_url(tmp_path), "ZHITONG_DATA_DIR": str(tmp_path)}
    allowed, totals = _count_in_processes(env, tmp_path, processes=2, attempts=200, limit=150)
    assert sum(allowed) == 150
    assert totals == [400, 400]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not _redis_answers(), reason="no Redis at 127.0.0.1:6379")


def test_the_redis_client_is_a_pinned_dependency():
    # Django's Redis cache needs the client: without it REDIS_URL broke every cache access.
    assert '"redis>=' in (ROOT / "pyproject.toml").read_text()
    assert any(
        line.startswith("redis==") for line in (ROOT / "requirements.lock").read_text().splitlines()
    )


@needs_redis
def test_with_redis_url_the_cache_is_redis_and_works(tmp_path):
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.conf import settings
        from django.core.cache import cache
        print(settings.CACHES["default"]["BACKEND"])
        cache.delete("zt:test:redis")
        cache.set("zt:test:redis", {"a": 1}, 30)
        print(cache.get("zt:test:redis"))
        cache.add("zt:test:n", 0, 30)
        print(cache.incr("zt:test:n"), cache.incr("zt:test:n"))
        cache.delete_many(["zt:test:redis", "zt:test:n"])
        """
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, our script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT / "src"),
            "DJANGO_SETTINGS_MODULE": "zhitong.settings",
            "DEBUG": "1",
            "ZHITONG_DATA_DIR": str(tmp_path),
            "REDIS_URL": REDIS_TEST_URL,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "django.core.cache.backends.redis.RedisCache",
        "{'a': 1}",
        "1 2",
    ]


@needs_redis
def test_two_processes_share_one_limit_in_redis(tmp_path):
    env = {"REDIS_URL": REDIS_TEST_URL, "ZHITONG_DATA_DIR": str(tmp_path)}
    allowed, totals = _count_in_processes(env, tmp_path, processes=2, attempts=200, limit=150)
    assert sum(allowed) == 150
    assert totals == [400, 400]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles: PostgreSQL")
def test_the_application_role_counts_in_the_cache_table(settings):
    """On PostgreSQL the services connect as the role db_grant_app_role sets up (not the
    tables' owner): the cache's add, incr and cull work for it."""
    from django.core.management import call_command
    from django.db import transaction

    role = f"zhitong_cache_test_{os.getpid()}"
    settings.CACHES = DATABASE_CACHE
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    try:
        call_command("db_grant_app_role", role, stdout=open(os.devnull, "w"))  # noqa: SIM115
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {role}")
            assert cache.add("zt:test:role", 0, timeout=60)
            assert cache.incr("zt:test:role") == 1
            cache.delete("zt:test:role")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
