"""Figures (统计) on known data: totals, rates and breakdowns, scoped to the user; home counts."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from zhitong.handling.models import Assignment, Rating
from zhitong.opinions import stats
from zhitong.opinions.models import Channel, Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


def at(day, hour=10, minute=0):
    return datetime.datetime(2025, 3, day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w(db):
    return build()


def _lead(w, opinion, unit, *, due, replied_at=None, state="replied"):
    return f.ReferralFactory(
        opinion=opinion,
        unit=unit,
        assigned_by=w.staff,
        assigned_at=opinion.received_at,
        state=state,
        due_date=due,
        replied_at=replied_at,
    )


def _rate(opinion, referral, *scores):
    for score in scores:
        reply = f.ReplyFactory(assignment=referral, opinion=opinion, author=referral.assigned_by)
        Rating.objects.create(opinion=opinion, reply=reply, score=score)


@pytest.fixture
def data(w):
    due = datetime.date(2025, 3, 20)
    a_kw = {"street": w.street_a, "station": w.station_a}
    b_kw = {"street": w.street_b, "station": w.station_b, "place": None, "deputy": None}
    o1 = new_opinion(w, channel=Channel.ONLINE, status=Status.CLOSED, received_at=at(3), **a_kw)
    r1 = _lead(w, o1, w.housing, due=due, replied_at=at(18))
    _rate(o1, r1, Rating.Score.SATISFIED)
    o2 = new_opinion(w, channel=Channel.ONLINE, status=Status.CLOSED, received_at=at(4), **a_kw)
    r2 = _lead(w, o2, w.housing, due=due, replied_at=at(25))
    _rate(o2, r2, Rating.Score.BASICALLY)
    o3 = new_opinion(
        w, channel=Channel.QR_STATION, status=Status.CLOSED_UNSATISFIED, received_at=at(5), **b_kw
    )
    # Replied at 23:30 on the due date, Shanghai time (15:30 UTC): still on time.
    r3 = _lead(w, o3, w.roads, due=due, replied_at=at(20, 23, 30))
    _rate(o3, r3, Rating.Score.UNSATISFIED, Rating.Score.UNSATISFIED)
    o4 = new_opinion(
        w, channel=Channel.QR_STATION, status=Status.HANDLING, received_at=at(6), **b_kw
    )
    # Returned by the street office first: that unit is not counted.
    _lead(w, o4, w.office_a, due=due, state=Assignment.State.RETURNED)
    _lead(w, o4, w.roads, due=due, state=Assignment.State.ACCEPTED)
    o5 = new_opinion(w, channel=Channel.ONLINE, status=Status.RECEIVED, received_at=at(7), **b_kw)
    # Answered on the spot and rated: closed, but not a referred case for the on-time rate.
    o6 = new_opinion(w, channel=Channel.ONLINE, status=Status.CLOSED, received_at=at(8), **a_kw)
    spot = f.ReplyFactory(
        assignment=None, opinion=o6, unit_name="张甲", author=w.deputy, on_the_spot=True
    )
    Rating.objects.create(opinion=o6, reply=spot, score=Rating.Score.SATISFIED)
    # Outside the period, and outside the district: never counted.
    new_opinion(
        w,
        status=Status.CLOSED,
        received_at=datetime.datetime(2024, 12, 31, 23, 0, tzinfo=SH),
        **a_kw,
    )
    new_opinion(
        w,
        district=w.far_district,
        street=None,
        place=None,
        station=None,
        deputy=None,
        received_at=at(9),
    )
    return [o1, o2, o3, o4, o5, o6]


def _figures(user):
    return stats.opinion_figures(user, start=START, end=END)


def _by(figures, key):
    return {row.label: row for b in figures.breakdowns if b.key == key for row in b.rows}


def test_totals_and_rates(w, data):
    total = _figures(w.staff).total
    assert (total.collected, total.closed) == (6, 4)
    assert total.closure_rate == Decimal("66.7")
    assert (total.closed_referred, total.on_time) == (3, 2)
    assert total.on_time_rate == Decimal("66.7")
    assert (total.rated, total.satisfied) == (4, 3)
    assert total.satisfaction_rate == Decimal("75.0")


def test_breakdown_by_channel(w, data):
    rows = _by(_figures(w.staff), "channel")
    online, qr = rows["掌上直通车"], rows["站点二维码"]
    assert (online.collected, online.closed, online.on_time, online.closed_referred) == (4, 3, 1, 2)
    assert (online.rated, online.satisfied) == (3, 3)
    assert (qr.collected, qr.closed, qr.on_time, qr.closed_referred) == (2, 1, 1, 1)
    assert qr.satisfaction_rate == Decimal("0.0")
    assert qr.closure_rate == Decimal("50.0")


def test_breakdown_by_street_station_category_and_unit(w, data):
    figures = _figures(w.staff)
    streets = _by(figures, "street")
    assert (streets["甲街道"].collected, streets["甲街道"].closed) == (3, 3)
    assert (streets["乙街道"].collected, streets["乙街道"].closed) == (3, 1)
    stations = _by(figures, "station")
    assert stations["甲一社区代表联络站"].collected == 3
    assert stations["乙一社区代表联络站"].collected == 3
    assert _by(figures, "category")["物业管理"].collected == 6
    units = _by(figures, "unit")
    assert set(units) == {"武昌区住房和城市更新局", "武昌区城市管理执法局"}
    housing, roads = units["武昌区住房和城市更新局"], units["武昌区城市管理执法局"]
    assert (housing.collected, housing.closed, housing.on_time, housing.satisfied) == (2, 2, 1, 2)
    assert housing.on_time_rate == Decimal("50.0")
    assert (roads.collected, roads.closed, roads.on_time, roads.rated, roads.satisfied) == (
        2,
        1,
        1,
        1,
        0,
    )


def test_figures_are_scoped_to_the_user(w, data):
    street = _figures(w.street).total  # 甲街道
    assert (street.collected, street.closed, street.on_time) == (3, 3, 1)
    unit = _figures(w.unit).total  # housing: o1, o2 (and o4's returned referral is elsewhere)
    assert unit.collected == 2
    far = _figures(w.far_staff).total
    assert far.collected == 1 and far.closed == 0
    assert _figures(w.citizen).total.collected == 0


def test_an_empty_period_has_no_rates(w, data):
    figures = stats.opinion_figures(
        w.staff, start=datetime.date(2020, 1, 1), end=datetime.date(2020, 1, 31)
    )
    assert figures.total.collected == 0
    assert figures.total.closure_rate is None
    assert all(not b.rows for b in figures.breakdowns)


def test_figures_are_group_by_queries(w, data, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        _figures(w.staff)


def test_the_statistics_page(client, w, data):
    client.force_login(w.staff)
    response = client.get(reverse("opinions:stats"), {"start": "2025-01-01", "end": "2025-12-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "66.7%" in html and "75.0%" in html
    assert "按承办单位（主办）" in html and "<caption" in html and 'scope="col"' in html
    assert "统计期间：2025-01-01 至 2025-12-31" in html


def test_each_table_row_shows_its_counts_and_rates(client, w, data):
    """The channel rows as the page writes them: counts, rates with %, — without a base."""
    client.force_login(w.staff)
    html = client.get(
        reverse("opinions:stats"), {"start": "2025-01-01", "end": "2025-12-31"}
    ).content.decode()
    cells = '<td class="text-end">{}</td>'
    qr = "".join(cells.format(v) for v in (2, 1, "50.0%", "100.0%", 1, "0.0%"))
    assert '<th scope="row" class="fw-normal">站点二维码</th>' in html
    # Each figure links to its list (tests/test_charts.py); here, what the cells say.
    assert qr in re.sub(r"<a href=[^>]*>|</a>", "", html.replace("\n", "").replace("        ", ""))
    with translation.override("en"):
        assert stats._cell(Decimal("12.5"), True) == "12.5%"
    assert stats._cell(None, True) == "—"
    assert stats._cell(1234, False) == "1234"


def test_the_statistics_page_defaults_to_this_year(client, w):
    client.force_login(w.staff)
    response = client.get(reverse("opinions:stats"))
    figures = response.context["figures"]
    assert figures.start == datetime.date(figures.end.year, 1, 1)
    assert "统计期间内没有数据。" in response.content.decode()


def test_a_bad_period_falls_back_with_a_message(client, w):
    client.force_login(w.staff)
    response = client.get(reverse("opinions:stats"), {"start": "2025-05-01", "end": "2025-04-01"})
    assert response.status_code == 200
    assert "统计期间无效" in response.content.decode()


def test_citizens_have_no_statistics_page(client, w):
    client.force_login(w.citizen)
    assert client.get(reverse("opinions:stats")).status_code == 403


# --- home page counts ---------------------------------------------------------------------------


def test_pending_counts_for_staff_link_to_the_same_opinions(client, w, data):
    today = datetime.date(2025, 4, 1)
    counts = {c.key: c for c in stats.pending_counts(w.staff, today=today)}
    assert [c.label for c in counts.values()] == ["待受理", "待转办", "待反馈群众", "已超期"]
    assert counts["received"].count == 1
    assert counts["accepted"].count == 0
    assert counts["overdue"].count == 1  # o4: roads still owes its reply after 2025-03-20
    client.force_login(w.staff)
    listed = client.get(counts["received"].url).context["rows"]
    assert [r.opinion.pk for r in listed] == [data[4].pk]


def test_pending_counts_per_role(w, data):
    today = datetime.date(2025, 4, 1)
    unit = {c.key: c.count for c in stats.pending_counts(w.co_unit, today=today)}
    assert unit == {"referred": 0, "handling": 1, "overdue": 1}  # roads holds o4
    deputy = {c.key: c.count for c in stats.pending_counts(w.deputy, today=today)}
    assert set(deputy) == {"received", "replied", "overdue"}
    assert stats.pending_counts(w.citizen) == []


def test_cached_figures_are_shared_within_a_scope_and_never_across(w, data):
    start, end = START, END
    district = stats.opinion_figures_cached(w.staff, start=start, end=end)
    assert district.total.collected == 6
    # A colleague of the same district reads the same entry; the street sees its own.
    assert stats.opinion_figures_cached(w.leader, start=start, end=end) is not None
    assert stats.opinion_figures_cached(w.street, start=start, end=end).total.collected == 3
    assert stats.opinion_figures_cached(w.deputy, start=start, end=end).total.collected == 3
    assert stats.opinion_figures_cached(w.other_deputy, start=start, end=end).total.collected == 3
    assert stats.opinion_figures_cached(w.unit, start=start, end=end).total.collected == 2
    assert stats.opinion_figures_cached(w.co_unit, start=start, end=end).total.collected == 2
    assert stats.opinion_figures_cached(w.far_staff, start=start, end=end).total.collected == 1


def test_the_home_page_snippet_links_each_count(rf, w, data):
    from django.template.loader import render_to_string

    html = render_to_string(
        "opinions/work/_pending_counts.html",
        {"counts": stats.pending_counts(w.staff, today=datetime.date(2025, 4, 1))},
    )
    assert "待受理" in html and "/work/opinions/?status=received" in html
    assert "/work/opinions/?deadline=overdue" in html


def test_the_period_fields_hold_the_default_period_as_iso_dates(client, w):
    client.force_login(w.staff)
    html = client.get(reverse("opinions:stats")).content.decode()
    year = timezone.localdate().year
    assert f'value="{year}-01-01"' in html


def _parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_small_scopes_are_counted_without_parallel_workers_and_the_setting_does_not_leak(w, data):
    default = _parallel_workers()
    assert default != "0"
    seen = {}

    def execute(run, sql, params, many, context):
        if sql.startswith('SELECT "opinions_opinion"'):
            seen.setdefault("workers", set()).add(_parallel_workers())
        return run(sql, params, many, context)

    for user, expected in ((w.deputy, {"0"}), (w.liaison, {"0"}), (w.unit, {default})):
        seen.clear()
        with connection.execute_wrapper(execute):
            figures = stats.opinion_figures_live(user, start=START, end=END)
        assert seen["workers"] == expected, user.username
        # The setting ends with the figures, here inside the test's transaction.
        assert _parallel_workers() == default
        assert not figures.from_summary
