"""Opinions at scale: queue, case and statistics pages at 10,000 and 1,000,000 opinions on
PostgreSQL, and the public submission rate against a bare one-insert Django view.

Run: `make bench` (needs PostgreSQL; BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/zhitong_bench, is dropped and re-created).
Options via env: BENCH_SIZES="10000,1000000", BENCH_REPEATS=30, BENCH_COLD_REPEATS=5,
BENCH_WARM_UP=3 (untimed fetches of each page first), BENCH_SUBMISSIONS=300.
Prints a Markdown report and writes it to bench/out/opinions.md.
"""

import datetime
import io
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhitong_bench")
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,1000000").split(",")]
REPEATS = int(os.environ.get("BENCH_REPEATS", "30"))
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "300"))
COLD_REPEATS = int(os.environ.get("BENCH_COLD_REPEATS", "5"))
WARM_UP = int(os.environ.get("BENCH_WARM_UP", "3"))
QUIET_USERNAME = "bench_quiet_deputy"

os.environ["DATABASE_URL"] = DB_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def recreate_database():
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, force=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial primary key, "
            "subject varchar(100), content text, created_at timestamptz default now())"
        )


SUBJECTS = ["小区", "道路", "噪音", "停车", "物业", "学校", "垃圾", "绿化", "路灯", "养老"]
PROBLEMS = ["问题", "反映", "建议", "投诉", "改造", "维修", "整治", "增设"]


def quiet_deputy():
    """A deputy without an account who is assigned to one station only (the lowest id): the
    loader sends that station opinions only while loading the first size, so the deputy's
    scope stays the same as the table grows. Returns (deputy id, station id)."""
    from django.db.models import Count, Max, Q

    from zhitong.stations.models import StationAssignment

    no_account = Q(deputy__user__isnull=True) | Q(deputy__user__username=QUIET_USERNAME)
    row = (
        StationAssignment.objects.current()
        .filter(no_account)
        .values("deputy_id")
        .annotate(stations=Count("station_id", distinct=True), station=Max("station_id"))
        .filter(stations=1)
        .order_by("deputy_id")
        .first()
    )
    return row["deputy_id"], row["station"]


def load_opinions(count: int, start_index: int):
    """Append `count` opinions (with lead referrals and received/referred events) by COPY."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from zhitong.accounts.models import User
    from zhitong.handling.deadlines import very_overdue_from
    from zhitong.opinions.models import Channel, Opinion, Status
    from zhitong.stations.models import Station, StationAssignment
    from zhitong.units.models import Category, HandlingUnit
    from zhitong.workdays.selectors import working_calendar

    rng = random.Random(start_index)
    stations = list(Station.objects.values_list("id", "region_id", "street_id", "region__level"))
    if start_index >= SIZES[0]:
        # The quiet deputy's station gets opinions only up to the first size.
        _deputy_id, quiet_station_id = quiet_deputy()
        stations = [station for station in stations if station[0] != quiet_station_id]
    deputies_by_station = {}
    for station_id, deputy_id in StationAssignment.objects.values_list("station_id", "deputy_id"):
        deputies_by_station.setdefault(station_id, []).append(deputy_id)
    district_id = Station.objects.values_list("street__parent_id", flat=True).first()
    categories = list(Category.objects.filter(parent__isnull=False).values_list("id", flat=True))
    units = list(HandlingUnit.objects.values_list("id", "name"))
    staff_id = User.objects.get(username="staff").pk
    channels = [c.value for c in Channel]
    statuses = [Status.CLOSED] * 6 + [
        Status.HANDLING,
        Status.REFERRED,
        Status.SENT,
        Status.RECEIVED,
    ]
    opinion_ct = ContentType.objects.get_for_model(Opinion).pk
    base = datetime.datetime(2026, 11, 26, tzinfo=datetime.UTC)
    # The very-overdue date of a due date (15 working days allowed, as the rows below), on
    # the calendar as published, like deadlines.apply; one computation per due date.
    calendar = working_calendar()
    very_overdue_dates = {}

    op_buf, ref_buf, ev_buf = io.StringIO(), io.StringIO(), io.StringIO()
    case_buf = io.StringIO()
    with connection.cursor() as cursor:
        # The opinion and its case share one id: past both tables' ids (the demo's
        # suggestions have cases of their own).
        cursor.execute(
            "SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM opinions_opinion),"
            " (SELECT COALESCE(MAX(id), 0) FROM handling_case))"
        )
        next_id = cursor.fetchone()[0] + 1
    for i in range(count):
        oid = next_id + i
        station_id, region_id, street_id, level = stations[rng.randrange(len(stations))]
        deputy_id = rng.choice(deputies_by_station.get(station_id, [None]))
        # Every load spreads over the same past year: 10,000 a year is a district, 1,000,000
        # a city or province, and the pages must cost the same for both.
        received = base - datetime.timedelta(seconds=rng.randrange(365 * 86400))
        status = rng.choice(statuses)
        subject = f"{rng.choice(SUBJECTS)}{rng.choice(PROBLEMS)}{oid}"
        content = f"{subject}：居民反映{rng.choice(SUBJECTS)}{rng.choice(PROBLEMS)}，希望尽快处理。"
        search = " ".join([subject, content])
        place = region_id if level == "community" else ""
        due_day = (received + datetime.timedelta(days=21)).date()
        due = due_day.isoformat()
        if due_day not in very_overdue_dates:
            very_overdue_dates[due_day] = very_overdue_from(due_day, 15, calendar).isoformat()
        very_overdue = very_overdue_dates[due_day]
        # The lead referral below is still running (accepted) unless the unit has replied;
        # Opinion.open_due_date and open_very_overdue_from copy its dates then, as
        # deadlines.sync_open_due_date.
        lead_state = "replied" if status in ("closed", "sent") else "accepted"
        running = status != Status.RECEIVED and lead_state == "accepted"
        open_due = due if running else r"\N"
        open_very_overdue = very_overdue if running else r"\N"
        op_buf.write(
            "\t".join(
                [
                    str(oid),
                    f"B{oid:09d}",
                    subject,
                    content,
                    str(rng.choice(categories)),
                    rng.choice(channels),
                    status,
                    str(place) if place else r"\N",
                    "",
                    str(district_id),
                    str(street_id),
                    str(station_id),
                    str(deputy_id) if deputy_id else r"\N",
                    "",
                    "",
                    "",
                    r"\N",
                    r"\N",
                    received.isoformat(),
                    received.isoformat(),
                    "",
                    "",
                    r"\N",
                    "0",
                    "",
                    search,
                    received.isoformat(),
                    (received + datetime.timedelta(days=20)).isoformat()
                    if status == "closed"
                    else r"\N",
                    open_due,
                    open_very_overdue,
                    str(oid),
                ]
            )
            + "\n"
        )
        # The opinion's handling case (same id as the opinion, for the loader's ease).
        case_buf.write(
            f"{oid}\topinions\t{district_id}\tB{oid:09d}\t{subject}\t{received.isoformat()}\n"
        )
        if status != Status.RECEIVED:
            unit_id, unit_name = units[oid % len(units)]
            ref_buf.write(
                "\t".join(
                    [
                        str(oid),
                        str(district_id),
                        str(unit_id),
                        unit_name,
                        "lead",
                        lead_state,
                        r"\N",
                        str(staff_id),
                        received.isoformat(),
                        received.isoformat(),
                        "",
                        r"\N",
                        "working_days",
                        "15",
                        due,
                        "f",
                        "{}",
                        r"\N",
                        r"\N",
                        very_overdue,
                        "0",
                    ]
                )
                + "\n"
            )
        ev_buf.write(
            f"{received.isoformat()}\t\\N\t\t{opinion_ct}\t{oid}\treceived\t\treceived\t\t{{}}\t420106\n"
        )
        if status != Status.RECEIVED:
            ev_buf.write(
                f"{received.isoformat()}\t{staff_id}\t工作人员\t{opinion_ct}\t{oid}\trefer\taccepted\treferred\t\t{{}}\t420106\n"
            )
    op_cols = (
        "id, tracking_code, subject, content, category_id, channel, status, place_id, address, "
        "district_id, street_id, station_id, deputy_id, submitter_name, submitter_phone, "
        "submitter_email, recorded_by_id, submission_key, received_at, accepted_at, "
        "decline_reason, decline_note, merged_into_id, returned_for_rework, internal_note, "
        "search_text, updated_at, closed_at, open_due_date, open_very_overdue_from, case_id"
    )
    case_cols = "id, process, district_id, reference, title, created_at"
    ref_cols = (
        "case_id, district_id, unit_id, unit_name, role, state, suggested_unit_id, "
        "assigned_by_id, assigned_at, accepted_at, return_reason, returned_at, rule, period, "
        "due_date, deadline_provisional, deadline, passing_recorded_for, replied_at, "
        "very_overdue_from, chase_count"
    )
    ev_cols = (
        "occurred_at, actor_id, actor_name, content_type_id, object_id, verb, from_state, "
        "to_state, note, data, district_code"
    )
    with connection.cursor() as cursor:
        for table, cols, buf in (
            ("handling_case", case_cols, case_buf),
            ("opinions_opinion", op_cols, op_buf),
            ("handling_assignment", ref_cols, ref_buf),
            ("core_event", ev_cols, ev_buf),
        ):
            buf.seek(0)
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                while chunk := buf.read(1 << 20):
                    copy.write(chunk)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('opinions_opinion','id'), MAX(id)) FROM opinions_opinion"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('handling_case','id'), MAX(id)) FROM handling_case"
        )
        cursor.execute("ANALYZE")


def settle_database():
    """What a running server's autovacuum and checkpointer would have done by the time
    anyone reads the pages: VACUUM ANALYZE (visibility map, statistics; autovacuum may be
    off on the benchmark's server), then a CHECKPOINT, so that no page is timed while the
    load's dirty buffers are still being written out."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")


def timed(client, url, repeats, *, cold=False):
    from django.core.cache import cache

    # Untimed fetches first, as a running server has done them: the first request of a
    # page compiles its templates and fills the process's caches, which would otherwise
    # weigh on the size measured first.
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(repeats):
        if cold:
            cache.clear()
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def measure_pages(size):
    from django.test import Client
    from django.urls import reverse

    from zhitong.accounts.models import User
    from zhitong.opinions.models import Opinion

    client = Client()
    client.force_login(User.objects.get(username="staff"))
    queue = reverse("opinions:queue")
    # A deep page: the keyset cursor of a row ~90% down the queue.
    first = client.get(queue)
    assert first.status_code == 200
    deep_row = Opinion.objects.order_by("-received_at", "-id")[int(size * 0.9)]
    deep_url = f"{queue}?{deep_cursor_query(deep_row)}"
    case = Opinion.objects.order_by("-id").first()
    stats_url = reverse("opinions:stats")
    others = {}
    for username in ("street", "deputy", "unit"):
        others[username] = Client()
        others[username].force_login(User.objects.get(username=username))
    others["deputy_quiet"] = Client()
    others["deputy_quiet"].force_login(quiet_deputy_account())
    return {
        "queue, first page": timed(client, queue, REPEATS),
        "queue, deep page (90%)": timed(client, deep_url, REPEATS),
        "queue, 超期 filter": timed(client, f"{queue}?deadline=overdue", REPEATS),
        "queue, 严重超期 filter": timed(client, f"{queue}?deadline=very_overdue", REPEATS),
        "case page": timed(client, reverse("opinions:detail", args=[case.pk]), REPEATS),
        "statistics page (cached figures)": timed(client, stats_url, REPEATS),
        "statistics page (cold: cache cleared)": timed(client, stats_url, COLD_REPEATS, cold=True),
        "statistics page, street staff (cold)": timed(
            others["street"], stats_url, COLD_REPEATS, cold=True
        ),
        # Deputies are counted live (their scopes are not partitions of the summary); units
        # read their partition. The loader spreads opinions evenly over the demo district's
        # 42 units and 208 stations, so the demo deputy's scope grows with the table; the
        # quiet deputy's stays the same (see quiet_deputy).
        "statistics page, deputy (cold)": timed(
            others["deputy"], stats_url, COLD_REPEATS, cold=True
        ),
        "statistics page, deputy with a scope of constant size (cold)": timed(
            others["deputy_quiet"], stats_url, COLD_REPEATS, cold=True
        ),
        "statistics page, unit (cold)": timed(others["unit"], stats_url, COLD_REPEATS, cold=True),
    }


def quiet_deputy_account():
    from zhitong.accounts.models import Role, User
    from zhitong.deputies.models import Deputy

    deputy_id, _station_id = quiet_deputy()
    user, _created = User.objects.get_or_create(
        username=QUIET_USERNAME, defaults={"role": Role.DEPUTY}
    )
    Deputy.objects.filter(pk=deputy_id).update(user=user)
    return user


def deep_cursor_query(row):
    from zhitong.opinions import views_work

    make = getattr(views_work, "cursor_query_for", None)
    if make is None:
        raise SystemExit("views_work.cursor_query_for(opinion) is needed to build a deep-page URL")
    return make(row)


def measure_submission():
    """Submissions per second through a station's public form and through the bare view.

    The two alternate in rounds of SUBMISSIONS / rounds posts each, after a few untimed
    posts that warm what a running process keeps; each rate is the median of its rounds.
    On a shared machine the load drifts during a run: alternating lets both sides see the
    same drift, and the median drops a round that a burst of other work slowed down.
    """
    from django.test import Client
    from django.urls import reverse

    from zhitong.stations.models import Station

    rounds = 5
    warm_up = 5
    per_round = max(1, SUBMISSIONS // rounds)
    station = Station.objects.order_by("pk").first()
    form_url = reverse("public:opinion_new_station", args=[station.public_code])
    client = Client()

    def signed_keys(n):
        # Each submission needs the one-time key its form page hands out; fetching the
        # pages is not part of the timed submission.
        pattern = re.compile(r'name="submission_key" value="([^"]+)"')
        return [pattern.search(client.get(form_url).content.decode()).group(1) for _ in range(n)]

    def timed_posts(post, numbers):
        t0 = time.perf_counter()
        for i in numbers:
            post(i)
        return len(numbers) / (time.perf_counter() - t0)

    keys = signed_keys(warm_up + per_round * rounds)

    def submit(i):
        response = client.post(
            form_url,
            {
                "subject": f"基准测试{i}",
                "content": "路灯不亮，影响夜间出行。",
                "submission_key": keys[i],
            },
        )
        assert response.status_code == 303, response.status_code

    def bare(i):
        response = client.post("/bench/bare/", {"subject": f"基准测试{i}", "content": "路灯不亮"})
        assert response.status_code == 200

    for i in range(warm_up):
        submit(i)
        bare(i)
    form_rates, bare_rates = [], []
    for done in range(warm_up, warm_up + per_round * rounds, per_round):
        numbers = range(done, done + per_round)
        form_rates.append(timed_posts(submit, numbers))
        bare_rates.append(timed_posts(bare, numbers))
    return {
        "public opinion form (POST: validate, insert opinion + event)": statistics.median(
            form_rates
        ),
        "bare Django view (POST: one INSERT)": statistics.median(bare_rates),
    }


def main():
    recreate_database()
    setup_django()
    lines = [
        f"# Opinions benchmark ({datetime.date.today().isoformat()})",
        "",
        f"Machine: {os.uname().nodename}, {os.cpu_count()} cores; PostgreSQL at {DB_URL.split('@')[-1]}.",
        f"Each page fetched {REPEATS} times in-process with Django's test client as a district staff account.",
        "",
        "| opinions | page | median ms | p95 ms |",
        "|---:|---|---:|---:|",
    ]
    loaded = 0
    results = {}
    refresh_lines = []
    for size in SIZES:
        t0 = time.perf_counter()
        while loaded < size:
            batch = min(100_000, size - loaded)
            load_opinions(batch, loaded)
            loaded += batch
        print(f"loaded {size} opinions in {time.perf_counter() - t0:.0f} s", flush=True)
        # The statistics summary as the scheduled task keeps it (dashboards_refresh_figures);
        # rebuilt in full here, which the task does only on its first run.
        from zhitong.dashboards.services import figures_refresh

        t0 = time.perf_counter()
        written = figures_refresh()
        refresh_lines.append(
            f"- {size:,} opinions: full summary rebuild {time.perf_counter() - t0:.1f} s, "
            f"{written:,} rows"
        )
        print(refresh_lines[-1], flush=True)
        t0 = time.perf_counter()
        settle_database()
        print(f"VACUUM (ANALYZE) and CHECKPOINT in {time.perf_counter() - t0:.0f} s", flush=True)
        results[size] = measure_pages(size)
        for page, (median, p95) in results[size].items():
            lines.append(f"| {size:,} | {page} | {median:.1f} | {p95:.1f} |")
            print(lines[-1], flush=True)
    if len(SIZES) > 1:
        small, large = SIZES[0], SIZES[-1]
        lines += ["", f"Ratio of medians, {large:,} / {small:,}:", ""]
        for page in results[small]:
            ratio = results[large][page][0] / results[small][page][0]
            lines.append(f"- {page}: {ratio:.2f}×")
    lines += ["", "Statistics summary (dashboards_refresh_figures):", "", *refresh_lines]
    rates = measure_submission()
    lines += ["", "| submission | per second |", "|---|---:|"]
    lines += [f"| {name} | {rate:.1f} |" for name, rate in rates.items()]
    values = list(rates.values())
    lines += ["", f"Public form at {values[0] / values[1]:.2f}× the bare insert rate."]
    report = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "opinions.md").write_text(report)
    print(report)


if __name__ == "__main__":
    sys.exit(main())
