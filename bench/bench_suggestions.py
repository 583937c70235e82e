"""Suggestions at scale: the staff queue, a suggestion's page and the unit inbox at 1,000 and
100,000 suggestions, with 1,000,000 opinions present, on PostgreSQL.

Run: `make bench` (needs PostgreSQL; BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/zhitong_bench_suggestions, is dropped and re-created).
Options via env: BENCH_OPINIONS=1000000, BENCH_SUGGESTION_SIZES="1000,100000",
BENCH_REPEATS=30, BENCH_COLD_REPEATS=5, BENCH_WARM_UP=3 (untimed fetches of each page first).
Prints a Markdown report and writes it to bench/out/suggestions.md.

The opinions are loaded by bench_opinions' loader; the suggestions (each submitted one with
its handling case, a lead assignment and sometimes a co-unit's, replies, co-signers and a
few commitments) by bulk_create in large batches, not through the services. The measured
unit (the demo's unit account's) gets its suggestions only while the first size loads, so
its inbox and the suggestion measured on its behalf keep the same size as the table grows.
"""

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhitong_bench_suggestions"
)
OPINIONS = int(os.environ.get("BENCH_OPINIONS", "1000000"))
SIZES = [int(s) for s in os.environ.get("BENCH_SUGGESTION_SIZES", "1000,100000").split(",")]
# bench_opinions reads BENCH_SIZES for its quiet deputy; one size: all opinions at once.
os.environ["BENCH_SIZES"] = str(OPINIONS)
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench import bench_opinions  # noqa: E402  (sets DATABASE_URL and the settings module)

REPEATS = bench_opinions.REPEATS
COLD_REPEATS = bench_opinions.COLD_REPEATS
BATCH = 5_000
# How many suggestions of the first size go to the measured unit (its constant scope).
MEASURED_SHARE = 10
TODAY = datetime.date(2026, 12, 6)

TOPICS = [
    "老旧小区改造",
    "道路拥堵治理",
    "停车难",
    "养老服务",
    "学校周边安全",
    "垃圾分类",
    "绿化提升",
]


def load_all_opinions():
    loaded = 0
    while loaded < OPINIONS:
        batch = min(100_000, OPINIONS - loaded)
        bench_opinions.load_opinions(batch, loaded)
        loaded += batch


def measured_unit():
    from zhitong.accounts.models import User

    return User.objects.get(username="unit").unit


def session_of(district):
    from zhitong.deputies.models import Term
    from zhitong.suggestions.models import CongressSession

    session = CongressSession.objects.filter(district=district).order_by("-id").first()
    if session is not None:
        return session
    term = Term.objects.filter(region=district).order_by("-number").first()
    return CongressSession.objects.create(
        term=term,
        district=district,
        number=4,
        opens_on=datetime.date(2026, 1, 10),
        closes_on=datetime.date(2026, 1, 14),
    )


def load_suggestions(count: int, start_index: int, *, first: bool):
    """Append `count` suggestions with their cases, assignments, replies, co-signers and
    commitments, by bulk_create in batches of BATCH."""
    from django.db import connection, transaction
    from django.db.models import Max

    from zhitong.accounts.models import User
    from zhitong.deputies.models import Deputy
    from zhitong.handling.deadlines import very_overdue_from
    from zhitong.handling.models import Assignment, Case, Reply
    from zhitong.opinions.models import Opinion
    from zhitong.regions.models import Region
    from zhitong.suggestions.models import Commitment, CoSigner, Status, Suggestion
    from zhitong.units.models import Category, HandlingUnit
    from zhitong.workdays.selectors import working_calendar

    rng = random.Random(start_index + 7)
    district_id = Opinion.objects.values_list("district_id", flat=True).first()
    district = Region.objects.get(pk=district_id)
    session = session_of(district)
    streets = list(Region.objects.filter(parent_id=district_id).values_list("id", flat=True))
    categories = list(Category.objects.filter(parent__isnull=False).values_list("id", flat=True))
    units = list(HandlingUnit.objects.values_list("id", "name"))
    own_unit = measured_unit()
    other_units = [u for u in units if u[0] != own_unit.pk]
    deputies = list(Deputy.objects.values_list("id", flat=True))
    staff = User.objects.get(username="staff")
    unit_author = User.objects.filter(unit__isnull=False).first()
    calendar = working_calendar()
    very_overdue_dates: dict = {}
    number = (
        Suggestion.objects.filter(session=session, during_session=True).aggregate(n=Max("number"))[
            "n"
        ]
        or 0
    )
    # Submitted suggestions (the queue's) in every state; a few drafts (outside the queue).
    statuses = (
        [Status.CLOSED] * 5
        + [Status.HANDLING] * 4
        + [Status.REPLIED] * 2
        + [Status.CARRYING_OUT, Status.ASSIGNED, Status.REHANDLING, Status.REGISTERED]
        + [Status.REVIEWED, Status.STREET_REVIEW, Status.DISTRICT_REVIEW, Status.DRAFT]
    )
    handled = {
        Status.ASSIGNED,
        Status.HANDLING,
        Status.REPLIED,
        Status.REHANDLING,
        Status.CARRYING_OUT,
        Status.CLOSED,
    }
    replied = {Status.REPLIED, Status.CARRYING_OUT, Status.CLOSED}
    base = datetime.datetime(2026, 11, 26, tzinfo=datetime.UTC)
    done = 0
    while done < count:
        n = min(BATCH, count - done)
        rows = []
        for i in range(n):
            index = start_index + done + i
            # The measured unit's share: only while the first size loads.
            mine = first and index % MEASURED_SHARE == 0
            status = rng.choice(statuses)
            if mine and i % 20 == 0:
                status = Status.CARRYING_OUT  # replied, with commitments: the measured page
            submitted = base - datetime.timedelta(seconds=rng.randrange(330 * 86400))
            lead = (own_unit.pk, own_unit.name) if mine else rng.choice(other_units)
            co = rng.choice(other_units) if rng.random() < 0.3 else None
            if co is not None and co[0] == lead[0]:
                co = None
            registered = status in handled or status == Status.REGISTERED
            if registered:
                number += 1
            rows.append(
                (index, status, submitted, lead, co, registered, number if registered else None)
            )
        with transaction.atomic():
            cases = Case.objects.bulk_create(
                [
                    Case(
                        process="suggestions",
                        district_id=district_id,
                        reference=f"S{index:09d}",
                        title=f"关于{TOPICS[index % len(TOPICS)]}的建议{index}",
                        created_at=submitted,
                    )
                    for index, status, submitted, *_rest in rows
                    if status in handled
                ],
                batch_size=BATCH,
            )
            case_iter = iter(cases)
            suggestions = []
            assignments = []
            for index, status, submitted, lead, co, registered, num in rows:
                case = next(case_iter) if status in handled else None
                running = status in (Status.ASSIGNED, Status.HANDLING, Status.REHANDLING)
                due = (submitted + datetime.timedelta(days=rng.randrange(60, 120))).date()
                if due not in very_overdue_dates:
                    very_overdue_dates[due] = very_overdue_from(due, 60, calendar)
                s = Suggestion(
                    title=f"关于{TOPICS[index % len(TOPICS)]}的建议{index}",
                    content=f"建议{index}：希望有关部门研究解决{TOPICS[index % len(TOPICS)]}问题。",
                    category_id=rng.choice(categories),
                    lead_deputy_id=rng.choice(deputies),
                    district_id=district_id,
                    street_id=rng.choice(streets),
                    session=session,
                    during_session=True,
                    status=status,
                    number=num,
                    proposed_lead_id=lead[0] if registered else None,
                    is_key=rng.random() < 0.02,
                    created_by=staff,
                    submitted_at=submitted if status != Status.DRAFT else None,
                    registered_at=submitted if registered else None,
                    assigned_at=submitted if case else None,
                    closed_at=submitted + datetime.timedelta(days=90)
                    if status == Status.CLOSED
                    else None,
                    case=case,
                    open_due_date=due if running else None,
                    open_very_overdue_from=very_overdue_dates[due] if running else None,
                )
                suggestions.append(s)
                if case is None:
                    continue
                lead_state = (
                    Assignment.State.REPLIED
                    if status in replied
                    else Assignment.State.PENDING
                    if status == Status.ASSIGNED
                    else Assignment.State.ACCEPTED
                )
                for unit, role in ((lead, "lead"), (co, "co")):
                    if unit is None:
                        continue
                    assignments.append(
                        Assignment(
                            case=case,
                            district_id=district_id,
                            unit_id=unit[0],
                            unit_name=unit[1],
                            role=role,
                            state=lead_state,
                            assigned_by=staff,
                            assigned_at=submitted,
                            accepted_at=submitted if lead_state != "pending" else None,
                            rule="working_days",
                            period=60,
                            due_date=due,
                            very_overdue_from=very_overdue_dates[due],
                            replied_at=submitted + datetime.timedelta(days=50)
                            if status in replied
                            else None,
                        )
                    )
            Suggestion.objects.bulk_create(suggestions, batch_size=BATCH)
            Assignment.objects.bulk_create(assignments, batch_size=BATCH)
            by_case = {s.case_id: s for s in suggestions if s.case_id}
            replies = [
                Reply(
                    case_id=a.case_id,
                    assignment=a,
                    unit_name=a.unit_name,
                    text="经研究，我单位已将该建议列入明年工作计划。",
                    result_class=rng.choice("ABC"),
                    author=unit_author,
                    created_at=a.replied_at,
                )
                for a in assignments
                if a.replied_at is not None
            ]
            Reply.objects.bulk_create(replies, batch_size=BATCH)
            cosigners = []
            commitments = []
            for s in suggestions:
                if s.status == Status.DRAFT:
                    continue
                for deputy_id in set(rng.sample(deputies, rng.randrange(0, 4))) - {
                    s.lead_deputy_id
                }:
                    cosigners.append(
                        CoSigner(
                            suggestion=s,
                            deputy_id=deputy_id,
                            state="accepted",
                            invited_at=s.submitted_at,
                            responded_at=s.submitted_at,
                        )
                    )
            for r in replies:
                s = by_case[r.case_id]
                if s.status == Status.CARRYING_OUT and r.assignment.role == "lead":
                    for position in (1, 2):
                        commitments.append(
                            Commitment(
                                suggestion=s,
                                reply=r,
                                unit_id=r.assignment.unit_id,
                                district_id=district_id,
                                street_id=s.street_id,
                                position=position,
                                text=f"承诺事项{position}：年内完成改造。",
                                due_date=TODAY + datetime.timedelta(days=30 * position),
                            )
                        )
            CoSigner.objects.bulk_create(cosigners, batch_size=BATCH)
            Commitment.objects.bulk_create(commitments, batch_size=BATCH)
        done += n
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measured_suggestion():
    """A registered suggestion of the measured unit, replied, with commitments: the same
    one at every size (it is loaded with the first)."""
    from zhitong.suggestions.models import Commitment, Suggestion

    unit = measured_unit()
    suggestion_id = (
        Commitment.objects.filter(unit=unit)
        .order_by("suggestion_id")
        .values_list("suggestion_id", flat=True)
    ).first()
    return Suggestion.objects.get(pk=suggestion_id)


def measure_pages():
    from django.test import Client
    from django.urls import reverse

    from zhitong.accounts.models import User

    def client_of(username):
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    staff, unit = client_of("staff"), client_of("unit")
    queue = reverse("suggestions:queue")
    detail = reverse("suggestions:detail", args=[measured_suggestion().pk])
    inbox = "/work/inbox/"
    return {
        "staff queue, first page": timed(staff, queue, REPEATS),
        "staff queue, first page (cold: cache cleared)": timed(
            staff, queue, COLD_REPEATS, cold=True
        ),
        "staff queue, 已超期 filter": timed(staff, f"{queue}?due=overdue", REPEATS),
        "staff queue, 办理中 status filter": timed(staff, f"{queue}?status=handling", REPEATS),
        "suggestion page, staff": timed(staff, detail, REPEATS),
        "suggestion page, staff (cold)": timed(staff, detail, COLD_REPEATS, cold=True),
        "suggestion page, its lead unit": timed(unit, detail, REPEATS),
        "suggestion page, its lead unit (cold)": timed(unit, detail, COLD_REPEATS, cold=True),
        "unit inbox": timed(unit, inbox, REPEATS),
        "unit inbox (cold)": timed(unit, inbox, COLD_REPEATS, cold=True),
    }


def timed(client, url, repeats, *, cold=False):
    """bench_opinions.timed's fetches (warm-up, then timed ones), with the median and p90."""
    from django.core.cache import cache

    for _ in range(bench_opinions.WARM_UP):
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
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.9) - 1)]


def main():
    started = time.perf_counter()
    bench_opinions.recreate_database()
    bench_opinions.setup_django()
    t0 = time.perf_counter()
    load_all_opinions()
    print(f"loaded {OPINIONS:,} opinions in {time.perf_counter() - t0:.0f} s", flush=True)
    from django.db.models import Count

    from zhitong.handling.models import Assignment

    load_before = os.getloadavg()
    lines = [
        f"# Suggestions benchmark ({datetime.date.today().isoformat()})",
        "",
        f"Machine: {os.uname().nodename}, {os.cpu_count()} cores; PostgreSQL at "
        f"{bench_opinions.DB_URL.split('@')[-1]}; {OPINIONS:,} opinions present.",
        f"Each page fetched {REPEATS} times ({COLD_REPEATS} for the cold ones) in-process with "
        f"Django's test client, after {bench_opinions.WARM_UP} untimed fetches.",
        "",
        "| suggestions | page | median ms | p90 ms |",
        "|---:|---|---:|---:|",
    ]
    loaded = 0
    results = {}
    notes = []
    for size in SIZES:
        t0 = time.perf_counter()
        load_suggestions(size - loaded, loaded, first=loaded == 0)
        loaded = size
        print(f"loaded {size:,} suggestions in {time.perf_counter() - t0:.0f} s", flush=True)
        bench_opinions.settle_database()
        unit = measured_unit()
        mine = Assignment.objects.filter(unit=unit).values("case__process").annotate(n=Count("id"))
        notes.append(
            f"- {size:,} suggestions: the measured unit ({unit.name}) has "
            + ", ".join(f"{row['n']:,} {row['case__process']}" for row in mine)
            + f" assignments; load average {os.getloadavg()[0]:.2f} before measuring"
        )
        print(notes[-1], flush=True)
        results[size] = measure_pages()
        for page, (median, high) in results[size].items():
            lines.append(f"| {size:,} | {page} | {median:.1f} | {high:.1f} |")
            print(lines[-1], flush=True)
    if len(SIZES) > 1:
        small, large = SIZES[0], SIZES[-1]
        lines += ["", f"Ratio of medians, {large:,} / {small:,} (aim: within 1.5×):", ""]
        for page in results[small]:
            ratio = results[large][page][0] / results[small][page][0]
            lines.append(f"- {page}: {ratio:.2f}×{'' if ratio <= 1.5 else '  **over 1.5×**'}")
    load_after = os.getloadavg()
    lines += [
        "",
        *notes,
        "",
        f"Load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in load_before)} after the "
        f"opinions' load, {', '.join(f'{x:.2f}' for x in load_after)} at the end; "
        f"run took {(time.perf_counter() - started) / 60:.0f} min.",
    ]
    report = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "suggestions.md").write_text(report)
    print(report)


if __name__ == "__main__":
    sys.exit(main())
