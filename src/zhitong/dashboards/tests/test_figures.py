"""The summary (意见统计汇总) gives exactly the live figures, is refreshed by the command, and
the statistics page reads it for whole districts, for streets and for units."""

import datetime
import io
import random
import time
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zhitong.accounts.models import Role
from zhitong.dashboards.models import DistrictFigureState, Figure, Grain, RefreshMark
from zhitong.dashboards.periods import split_period
from zhitong.dashboards.selectors import figures_from_summary
from zhitong.dashboards.services import MARK_NAME, figures_refresh, figures_refresh_changed
from zhitong.handling.models import Assignment, Rating
from zhitong.opinions import stats
from zhitong.opinions.models import Channel, Opinion, Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
YEAR = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w(db):
    return build()


def _lead(
    w,
    opinion,
    unit,
    *,
    due,
    replied_at=None,
    state=Assignment.State.REPLIED,
    role=Assignment.Role.LEAD,
):
    return f.ReferralFactory(
        opinion=opinion,
        unit=unit,
        role=role,
        assigned_by=w.staff,
        assigned_at=opinion.received_at,
        state=state,
        due_date=due,
        replied_at=replied_at,
    )


def _populate(w, seed: int, count: int = 40):
    """Opinions from February to April 2025 (the ends of the months included) in both
    districts, with every kind of group, lead state, co-unit, reply time (around midnight
    and the due date) and rating."""
    rnd = random.Random(seed)
    other_category = f.CategoryFactory(name="道路交通", code="DL01", parent=w.category)
    places = [
        {"street": w.street_a, "place": w.community_a, "station": w.station_a},
        {"street": w.street_b, "place": None, "station": w.station_b},
        {"street": None, "place": None, "station": None},
    ]
    for _ in range(count):
        far = rnd.random() < 0.2
        where = (
            {"district": w.far_district, "street": None, "place": None, "station": None}
            if far
            else rnd.choice(places)
        )
        day = datetime.date(2025, 2, 1) + datetime.timedelta(days=rnd.randint(0, 88))
        received = datetime.datetime.combine(
            day, datetime.time(rnd.choice([0, 10, 23]), rnd.randint(0, 59)), tzinfo=SH
        )
        status = rnd.choice(
            [Status.RECEIVED, Status.HANDLING, Status.CLOSED, Status.CLOSED_UNSATISFIED]
        )
        opinion = new_opinion(
            w,
            channel=rnd.choice(list(Channel.values)),
            category=rnd.choice([w.category, other_category, None]),
            status=status,
            received_at=received,
            deputy=None,
            **where,
        )
        if rnd.random() < 0.7:
            unit = rnd.choice([w.housing, w.roads, w.office_a])
            due = received.date() + datetime.timedelta(days=rnd.randint(0, 5))
            replied = datetime.datetime.combine(
                due + datetime.timedelta(days=rnd.choice([-1, 0, 1])),
                datetime.time(rnd.choice([0, 12, 23]), 30),
                tzinfo=SH,
            )
            if rnd.random() < 0.2:
                _lead(w, opinion, w.office_a, due=due, state=Assignment.State.RETURNED)
            if rnd.random() < 0.2:
                # Withdrawn: the unit no longer sees it, in the summary as live.
                _lead(
                    w,
                    opinion,
                    rnd.choice([w.roads, w.office_a]),
                    due=due,
                    state=Assignment.State.WITHDRAWN,
                )
            state = rnd.choice([Assignment.State.REPLIED, Assignment.State.ACCEPTED])
            referral = _lead(
                w,
                opinion,
                unit,
                due=rnd.choice([due, None]),
                replied_at=replied if state == Assignment.State.REPLIED else None,
                state=state,
            )
            if rnd.random() < 0.3:
                # A co-unit sees the opinion too; its breakdown by unit shows the lead.
                _lead(
                    w,
                    opinion,
                    rnd.choice([w.roads, w.housing]),
                    due=due,
                    state=rnd.choice([Assignment.State.ACCEPTED, Assignment.State.WITHDRAWN]),
                    role=Assignment.Role.CO,
                )
            if status in (Status.CLOSED, Status.CLOSED_UNSATISFIED) and rnd.random() < 0.8:
                for _score in range(rnd.choice([1, 2])):
                    reply = f.ReplyFactory(assignment=referral, opinion=opinion, author=w.staff)
                    score = rnd.choice(list(Rating.Score.values))
                    # Some closed by the system (默认满意), counted apart.
                    Rating.objects.create(
                        opinion=opinion, reply=reply, score=score, method=_method(score)
                    )


def _method(score: str) -> str:
    """Only the system gives the default score (默认满意)."""
    return Rating.Method.AUTO if score == Rating.Score.DEFAULT else Rating.Method.ONLINE


def _plain(figures):
    return (
        figures.start,
        figures.end,
        figures.total,
        [(b.key, b.title, b.rows) for b in figures.breakdowns],
    )


def _superuser():
    return f.UserFactory(username="root", role=Role.ADMIN, is_superuser=True, is_staff=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summary_gives_the_live_figures_for_every_scope_and_period(w, seed):
    _populate(w, seed)
    figures_refresh()
    periods = [
        YEAR,
        (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1)),
        (datetime.date(2025, 3, 5), datetime.date(2025, 3, 12)),
        (datetime.date(2025, 3, 20), datetime.date(2025, 4, 30)),
        (datetime.date(2025, 2, 1), datetime.date(2025, 3, 31)),
        (datetime.date(2025, 2, 28), datetime.date(2025, 4, 1)),
        (datetime.date(2025, 2, 10), datetime.date(2025, 4, 20)),
        (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
    ]
    users = [w.staff, w.far_staff, w.street, w.other_street, _superuser()]
    for user in users + [w.unit, w.co_unit, w.other_unit]:
        for start, end in periods:
            summary = figures_from_summary(user, start=start, end=end)
            assert summary is not None and summary.from_summary
            live = stats.opinion_figures_live(user, start=start, end=end)
            assert _plain(summary) == _plain(live), (user.username, start, end)
            assert _plain(stats.opinion_figures(user, start=start, end=end)) == _plain(live)


def test_a_partial_refresh_after_changes_gives_the_live_figures(w):
    _populate(w, 4)
    figures_refresh()
    opinion = new_opinion(
        w, status=Status.CLOSED, received_at=datetime.datetime(2025, 3, 3, 9, tzinfo=SH)
    )
    _lead(w, opinion, w.roads, due=datetime.date(2025, 3, 9), replied_at=opinion.received_at)
    assert _plain(figures_from_summary(w.staff, start=YEAR[0], end=YEAR[1])) != _plain(
        stats.opinion_figures_live(w.staff, start=YEAR[0], end=YEAR[1])
    )
    figures_refresh(district=w.district, days=[datetime.date(2025, 3, 3)])
    # The whole year reads the March month row, refreshed from its day rows.
    assert _plain(figures_from_summary(w.staff, start=YEAR[0], end=YEAR[1])) == _plain(
        stats.opinion_figures_live(w.staff, start=YEAR[0], end=YEAR[1])
    )
    day = datetime.date(2025, 3, 3)
    assert _plain(figures_from_summary(w.staff, start=day, end=day)) == _plain(
        stats.opinion_figures_live(w.staff, start=day, end=day)
    )


def test_the_command_recomputes_what_changed_since_its_last_run(w):
    _populate(w, 5, count=15)
    call_command("dashboards_refresh_figures")
    assert DistrictFigureState.objects.filter(district=w.district).exists()
    new_opinion(w, received_at=datetime.datetime(2025, 3, 28, 9, tzinfo=SH))
    call_command("dashboards_refresh_figures")
    for user in (w.staff, w.far_staff, w.street, w.unit):
        assert _plain(figures_from_summary(user, start=YEAR[0], end=YEAR[1])) == _plain(
            stats.opinion_figures_live(user, start=YEAR[0], end=YEAR[1])
        )
    assert Figure.objects.filter(grain=Grain.DAY, period=datetime.date(2025, 3, 28)).exists()


def test_a_change_saved_before_the_mark_but_committed_after_is_picked_up(w):
    """updated_at is the time of the save; the transaction may commit after a refresh has
    read its mark (the newest updated_at then visible). The next run must still see it."""
    _populate(w, 7, count=10)
    call_command("dashboards_refresh_figures")
    mark = RefreshMark.objects.get(name=MARK_NAME).value
    late = new_opinion(w, received_at=datetime.datetime(2025, 3, 28, 9, tzinfo=SH))
    # As if saved two seconds before the mark was read, and committed only now.
    Opinion.objects.filter(pk=late.pk).update(updated_at=mark - datetime.timedelta(seconds=2))
    call_command("dashboards_refresh_figures")
    for user in (w.staff, w.street):
        assert _plain(figures_from_summary(user, start=YEAR[0], end=YEAR[1])) == _plain(
            stats.opinion_figures_live(user, start=YEAR[0], end=YEAR[1])
        )


def test_scopes_the_summary_cannot_serve_are_computed_live(w):
    _populate(w, 6, count=10)
    figures_refresh()
    for user in (w.deputy, w.liaison):
        assert figures_from_summary(user, start=YEAR[0], end=YEAR[1]) is None
        figures = stats.opinion_figures(user, start=YEAR[0], end=YEAR[1])
        assert not figures.from_summary


def test_an_empty_summary_falls_back_to_the_live_figures(w):
    _populate(w, 7, count=10)
    assert figures_from_summary(w.staff, start=YEAR[0], end=YEAR[1]) is None
    figures = stats.opinion_figures(w.staff, start=YEAR[0], end=YEAR[1])
    assert not figures.from_summary and figures.total.collected > 0


def test_the_page_shows_when_the_figures_were_computed(client, w):
    _populate(w, 8, count=5)
    figures_refresh()
    client.force_login(w.staff)
    response = client.get(reverse("opinions:stats"), {"start": "2025-01-01", "end": "2025-12-31"})
    assert response.status_code == 200
    assert "数据计算时间" in response.text
    assert "汇总数据" in response.text


def test_a_month_row_is_the_sum_of_its_day_rows(w):
    _populate(w, 9)
    figures_refresh()
    months = Figure.objects.filter(grain=Grain.MONTH)
    assert months.exists()
    for month in months:
        days = Figure.objects.filter(
            grain=Grain.DAY,
            district=month.district,
            street=month.street,
            unit=month.unit,
            dimension=month.dimension,
            key=month.key,
            period__year=month.period.year,
            period__month=month.period.month,
        )
        assert month.period.day == 1
        assert month.collected == sum(d.collected for d in days) > 0
        assert month.satisfied == sum(d.satisfied for d in days)


def test_street_staff_read_only_their_street(w):
    _populate(w, 10)
    figures_refresh()
    for user, street in ((w.street, w.street_a), (w.other_street, w.street_b)):
        figures = figures_from_summary(user, start=YEAR[0], end=YEAR[1])
        assert figures.from_summary
        streets = next(b for b in figures.breakdowns if b.key == "street").rows
        assert [row.label for row in streets] in ([street.name], [])


@pytest.mark.parametrize(
    ("start", "end", "months", "ranges"),
    [
        ("2025-01-01", "2025-12-31", [f"2025-{m:02d}-01" for m in range(1, 13)], []),
        ("2025-03-05", "2025-03-12", [], [("2025-03-05", "2025-03-12")]),
        ("2025-03-01", "2025-03-31", ["2025-03-01"], []),
        ("2025-03-01", "2025-03-30", [], [("2025-03-01", "2025-03-30")]),
        (
            "2025-02-28",
            "2025-04-01",
            ["2025-03-01"],
            [("2025-02-28", "2025-02-28"), ("2025-04-01", "2025-04-01")],
        ),
        ("2024-12-15", "2025-02-28", ["2025-01-01", "2025-02-01"], [("2024-12-15", "2024-12-31")]),
        ("2025-03-02", "2025-03-01", [], []),
    ],
)
def test_a_period_splits_into_whole_months_and_edge_days(start, end, months, ranges):
    d = datetime.date.fromisoformat
    assert split_period(d(start), d(end)) == (
        [d(m) for m in months],
        [(d(a), d(b)) for a, b in ranges],
    )


def test_a_unit_reads_only_its_own_rows(w):
    _populate(w, 11)
    figures_refresh()
    assert Figure.objects.filter(unit=w.housing).exists()
    assert not Figure.objects.filter(unit__isnull=False, street__isnull=False).exists()
    figures = figures_from_summary(w.unit, start=YEAR[0], end=YEAR[1])
    assert figures.from_summary
    staff = figures_from_summary(w.staff, start=YEAR[0], end=YEAR[1])
    assert 0 < figures.total.collected < staff.total.collected


def test_a_unit_account_without_a_unit_is_not_served_by_the_summary(w):
    _populate(w, 12, count=5)
    figures_refresh()
    lost = f.UserFactory(username="unit_nowhere", role=Role.UNIT)
    assert figures_from_summary(lost, start=YEAR[0], end=YEAR[1]) is None
    assert stats.opinion_figures(lost, start=YEAR[0], end=YEAR[1]).total.collected == 0


def test_a_refresh_started_while_another_runs_leaves_at_once():
    """A full rebuild takes minutes at a city's scale; cron runs that start meanwhile must
    not queue up behind it to compute the same rows again, nor fail (on SQLite too)."""
    RefreshMark.objects.create(name=MARK_NAME, running_since=timezone.now())
    out = io.StringIO()
    started = time.monotonic()
    call_command("dashboards_refresh_figures", stdout=out)
    assert time.monotonic() - started < 5
    assert "Another refresh is running" in out.getvalue()
    assert RefreshMark.objects.get(name=MARK_NAME).value is None
    # The run ends: the next one goes through and gives its lease back.
    RefreshMark.objects.filter(name=MARK_NAME).update(running_since=None)
    assert figures_refresh_changed() == 0
    mark = RefreshMark.objects.get(name=MARK_NAME)
    assert mark.value is not None and mark.running_since is None


def test_the_lease_of_a_killed_run_is_taken_over():
    stale = timezone.now() - datetime.timedelta(hours=3)
    RefreshMark.objects.create(name=MARK_NAME, running_since=stale)
    assert figures_refresh_changed() == 0
    assert RefreshMark.objects.get(name=MARK_NAME).running_since is None


@pytest.mark.django_db(transaction=True)
def test_rows_are_computed_outside_any_write_transaction(monkeypatch):
    """Only the replacement of a district's rows runs in a transaction: citizens' writes
    wait for that (a moment), not for the computation (seconds to minutes)."""
    from zhitong.dashboards import services as dashboard_services

    w = build()
    _populate(w, 3, count=2)
    seen = []
    original = dashboard_services._compute

    def compute(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return original(*args, **kwargs)

    monkeypatch.setattr(dashboard_services, "_compute", compute)
    assert figures_refresh_changed() > 0
    assert seen and not any(seen)


@pytest.mark.django_db(transaction=True)
def test_a_whole_district_is_rewritten_in_short_chunks_and_counted_live_meanwhile(monkeypatch):
    """A district's first computation writes its rows a chunk per transaction; until all
    are in, the statistics count it live rather than read half a summary."""
    from zhitong.dashboards import services as dashboard_services

    w = build()
    _populate(w, 5, count=20)
    monkeypatch.setattr(dashboard_services, "WRITE_CHUNK", 25)
    original = dashboard_services._copy_chunk
    chunks, states, transactions = [], [], []

    def copy_chunk(*args, **kwargs):
        states.append(
            DistrictFigureState.objects.filter(district=w.district).values_list(
                "computed_at", flat=True
            )[0]
        )
        transactions.append(connection.in_atomic_block)
        written = original(*args, **kwargs)
        chunks.append(written)
        return written

    monkeypatch.setattr(dashboard_services, "_copy_chunk", copy_chunk)
    written = figures_refresh(district=w.district)
    assert written == Figure.objects.filter(district=w.district).count() > 25
    assert sum(chunks) == written
    assert max(chunks) <= 25 and len(chunks) > 1
    # Each chunk commits on its own: none runs inside a transaction spanning the rebuild.
    assert not any(transactions)
    assert all(state is None for state in states)  # counted live while being written
    assert DistrictFigureState.objects.get(district=w.district).computed_at is not None
    summary = figures_from_summary(w.staff, start=YEAR[0], end=YEAR[1])
    live = stats.opinion_figures_live(w.staff, start=YEAR[0], end=YEAR[1])
    assert _plain(summary) == _plain(live)


def test_the_breakdown_by_unit_holds_when_other_processes_have_opened_cases(w):
    """An opinion's id and its case's id differ once another process has opened cases: the
    live breakdown by lead unit must find the referrals by the case, not by the opinion id."""
    from zhitong.handling.models import Case

    for number in range(3):
        Case.objects.create(
            process="errands",
            district=w.district,
            reference=f"E-{number}",
            title="修缮活动室",
            created_at=timezone.now(),
        )
    opinion = new_opinion(
        w, status=Status.CLOSED, received_at=datetime.datetime(2025, 3, 3, 9, tzinfo=SH)
    )
    assert opinion.pk != opinion.case_id
    _lead(w, opinion, w.roads, due=datetime.date(2025, 3, 9), replied_at=opinion.received_at)
    live = stats.opinion_figures_live(w.staff, start=YEAR[0], end=YEAR[1])
    units = next(b for b in live.breakdowns if b.key == "unit").rows
    assert [(row.label, row.collected, row.on_time) for row in units] == [(w.roads.name, 1, 1)]
    figures_refresh()
    assert _plain(figures_from_summary(w.staff, start=YEAR[0], end=YEAR[1])) == _plain(live)


# --- per-unit figures across processes ----------------------------------------------------


def _populate_errands(w, seed: int, count: int = 30):
    """Errands (the test-only process, plain handling assignments and ratings) in both
    districts, handed to the units the opinions go to, in every state, replied around the
    due date and rated (some twice)."""
    from zhitong.handling import models as handling
    from zhitong.handling.tests.errands.models import Errand

    rnd = random.Random(seed * 7919)
    for number in range(count):
        district = w.far_district if rnd.random() < 0.2 else w.district
        day = datetime.date(2025, 2, 1) + datetime.timedelta(days=rnd.randint(0, 88))
        assigned = datetime.datetime.combine(
            day, datetime.time(rnd.choice([0, 10, 23]), 30), tzinfo=SH
        )
        case = handling.Case.objects.create(
            process="errands",
            district=district,
            reference=f"E-{seed}-{number}",
            title="修缮活动室",
            created_at=assigned,
        )
        Errand.objects.create(case=case, title="修缮活动室", district=district, rater=w.deputy)
        for role in [Assignment.Role.LEAD] + [Assignment.Role.CO] * rnd.randint(0, 1):
            due = day + datetime.timedelta(days=rnd.randint(0, 5))
            state = rnd.choice(list(Assignment.State.values))
            replied = (
                datetime.datetime.combine(
                    due + datetime.timedelta(days=rnd.choice([-1, 0, 1])),
                    datetime.time(rnd.choice([0, 12, 23]), 30),
                    tzinfo=SH,
                )
                if state == Assignment.State.REPLIED
                else None
            )
            unit = rnd.choice([w.housing, w.roads, w.office_a])
            assignment = Assignment.objects.create(
                case=case,
                district=district,
                unit=unit,
                unit_name=unit.name,
                role=role,
                state=state,
                assigned_by=w.staff,
                assigned_at=assigned,
                due_date=rnd.choice([due, due, None]),
                replied_at=replied,
            )
            if replied is None or rnd.random() < 0.3:
                continue
            reply = handling.Reply.objects.create(
                assignment=assignment, text="已修缮", author=w.staff, created_at=replied
            )
            score = rnd.choice(list(handling.Rating.Score.values))
            handling.Rating.objects.create(
                reply=reply,
                score=score,
                method=_method(score),
                rater=w.deputy,
                back_to_back=True,
                created_at=replied,
            )
            if rnd.random() < 0.3:
                again = handling.Reply.objects.create(
                    assignment=assignment, text="再次答复", author=w.staff, created_at=replied
                )
                score = rnd.choice(list(handling.Rating.Score.values))
                handling.Rating.objects.create(
                    reply=again,
                    score=score,
                    method=_method(score),
                    rater=w.deputy,
                    back_to_back=True,
                    created_at=replied,
                )


PERIODS = [
    YEAR,
    (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1)),
    (datetime.date(2025, 3, 5), datetime.date(2025, 3, 12)),
    (datetime.date(2025, 2, 28), datetime.date(2025, 4, 1)),
    (datetime.date(2025, 2, 10), datetime.date(2025, 4, 20)),
]


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_the_per_unit_figures_span_processes_and_match_the_live_counts(w, seed):
    _populate(w, seed)
    _populate_errands(w, seed)
    figures_refresh()
    root = _superuser()
    users = [w.staff, w.far_staff, root, w.unit, w.co_unit, w.other_unit, w.street]
    for user in users:
        for start, end in PERIODS:
            summary = figures_from_summary(user, start=start, end=end)
            live = stats.units_across_processes_live(user, start=start, end=end)
            assert summary.units == live, (user.username, start, end)
    # Both processes count: the superuser's units hold every assignment not returned or
    # withdrawn, opinions' and errands' alike.
    units = figures_from_summary(root, start=YEAR[0], end=YEAR[1]).units
    active = Assignment.objects.exclude(
        state__in=[Assignment.State.RETURNED, Assignment.State.WITHDRAWN]
    )
    assert sum(row.collected for row in units) == active.count()
    assert active.filter(case__process="errands").exists()
    assert active.filter(case__process="opinions").exists()
    assert sum(row.rated for row in units) > 0
    # Street staff see cases, not units' work.
    assert figures_from_summary(w.street, start=YEAR[0], end=YEAR[1]).units == []


def test_the_refresh_keeps_the_per_unit_figures_of_other_processes_current(w):
    _populate(w, 24, count=10)
    _populate_errands(w, 24, count=10)
    call_command("dashboards_refresh_figures")
    # An errand assigned meanwhile changes no opinion; the next run still counts it.
    _populate_errands(w, 25, count=5)
    call_command("dashboards_refresh_figures")
    for user in (w.staff, w.unit, w.co_unit):
        summary = figures_from_summary(user, start=YEAR[0], end=YEAR[1])
        live = stats.units_across_processes_live(user, start=YEAR[0], end=YEAR[1])
        assert summary.units == live


def test_a_unit_sees_its_own_figures_across_processes_on_the_statistics_page(client, w):
    _populate(w, 26, count=10)
    _populate_errands(w, 26, count=10)
    figures_refresh()
    client.force_login(w.unit)
    response = client.get(reverse("opinions:stats"), {"start": "2025-01-01", "end": "2025-12-31"})
    assert response.status_code == 200
    assert "各承办单位办理情况（全部业务）" in response.text
    assert w.housing.name in response.text
    assert w.roads.name not in response.text.split("各承办单位办理情况（全部业务）")[1]


def _summary_indexes() -> set[str]:
    with connection.cursor() as cursor:
        present = connection.introspection.get_constraints(cursor, Figure._meta.db_table)
    return {index.name for index in Figure._meta.indexes} & set(present)


ALL_INDEXES = {index.name for index in Figure._meta.indexes}


def _indexes_seen_while_writing(monkeypatch) -> list[set[str]]:
    """The summary's indexes present at each chunk a rebuild writes (filled as it runs)."""
    from zhitong.dashboards import services as dashboard_services

    during: list[set[str]] = []
    original = dashboard_services._copy_chunk

    def copy_chunk(*args, **kwargs):
        during.append(_summary_indexes())
        return original(*args, **kwargs)

    monkeypatch.setattr(dashboard_services, "_copy_chunk", copy_chunk)
    return during


def test_a_whole_rebuild_writes_without_the_indexes_and_builds_them_after(w, monkeypatch):
    _populate(w, 7, count=10)
    assert _summary_indexes() == ALL_INDEXES
    during = _indexes_seen_while_writing(monkeypatch)
    assert figures_refresh() > 0
    assert during and all(indexes == set() for indexes in during)
    assert _summary_indexes() == ALL_INDEXES
    summary = figures_from_summary(w.staff, start=YEAR[0], end=YEAR[1])
    assert _plain(summary) == _plain(
        stats.opinion_figures_live(w.staff, start=YEAR[0], end=YEAR[1])
    )


def test_a_district_rebuilt_alone_keeps_the_indexes_while_it_writes(w, monkeypatch):
    """Only a rebuild of every district drops them: the other districts are read meanwhile."""
    _populate(w, 8, count=10)
    during = _indexes_seen_while_writing(monkeypatch)
    figures_refresh(district=w.district)
    assert during and all(indexes == ALL_INDEXES for indexes in during)


def test_the_indexes_are_back_when_a_whole_rebuild_fails(w, monkeypatch):
    from zhitong.dashboards import services as dashboard_services

    _populate(w, 9, count=10)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(dashboard_services, "_copy_chunk", broken)
    with pytest.raises(RuntimeError):
        figures_refresh()
    assert _summary_indexes() == ALL_INDEXES


def test_the_next_refresh_builds_the_indexes_a_killed_rebuild_left_out(w):
    _populate(w, 10, count=10)
    with connection.cursor() as cursor:
        for name in sorted(ALL_INDEXES):
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    assert _summary_indexes() == set()
    figures_refresh_changed()
    assert _summary_indexes() == ALL_INDEXES
