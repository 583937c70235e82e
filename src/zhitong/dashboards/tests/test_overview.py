"""The district at a glance (区情总览): the leader's home page and /work/overview/.

Its figures are the statistics page's (checked against the page itself), its overdue
count the queue's; the very overdue and key cases link to their case pages; the units are
ranked by the order chosen in the address; who may see it, role by role.
"""

import datetime
import re

import pytest
from django.core.cache import cache

from zhitong.handling.models import Rating
from zhitong.opinions.models import Channel, Opinion, Status
from zhitong.opinions.tests.lifecycle_world import SHANGHAI, build, frozen, new_opinion
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

HOME = "/accounts/home/"
OVERVIEW = "/work/overview/"
# The page, the figures of two periods (counted live here: ten queries each), the overdue
# count, two lists (count, rows, their leads) and the units' overdue counts; the hot topics
# (the recent opinions, their fingerprints, those missing written, the topics' opinions).
HOME_MAX_QUERIES = 45
TODAY = datetime.date(2025, 3, 28)
NOW = datetime.datetime(2025, 3, 28, 10, tzinfo=SHANGHAI)


def day(month, d, hour=10, minute=0):
    return datetime.datetime(2025, month, d, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w(db):
    with frozen(NOW):
        return build()


def _lead(w, opinion, unit, *, due, replied_at=None, state="replied", chased=0):
    return f.ReferralFactory(
        opinion=opinion,
        unit=unit,
        assigned_by=w.staff,
        assigned_at=opinion.received_at,
        state=state,
        due_date=due,
        replied_at=replied_at,
        chase_count=chased,
    )


def _rate(opinion, referral, *scores):
    for score in scores:
        reply = f.ReplyFactory(assignment=referral, opinion=opinion, author=referral.assigned_by)
        Rating.objects.create(opinion=opinion, reply=reply, score=score)


@pytest.fixture
def data(w):
    """In 武昌区, frozen on 2025-03-28:

    housing: o1 on time and satisfied, o2 late and basically satisfied, o5 overdue (and sent
    back once after an unsatisfied rating: a key case); roads: o3 on time and unsatisfied
    twice, o4 very overdue (received in January, chased: a key case); 甲街道办事处: o6 very
    overdue (received in January), o7 overdue. A very overdue opinion of 江岸区 is never
    shown.
    """
    with frozen(NOW):
        march = day(3, 20).date()
        o1 = new_opinion(w, status=Status.CLOSED, received_at=day(3, 3), channel=Channel.ONLINE)
        r1 = _lead(w, o1, w.housing, due=march, replied_at=day(3, 18))
        _rate(o1, r1, Rating.Score.SATISFIED)
        o2 = new_opinion(w, status=Status.CLOSED, received_at=day(3, 4))
        r2 = _lead(w, o2, w.housing, due=march, replied_at=day(3, 25))
        _rate(o2, r2, Rating.Score.BASICALLY)
        o3 = new_opinion(w, status=Status.CLOSED_UNSATISFIED, received_at=day(3, 5))
        r3 = _lead(w, o3, w.roads, due=march, replied_at=day(3, 20, 23, 30))
        _rate(o3, r3, Rating.Score.UNSATISFIED, Rating.Score.UNSATISFIED)
        o4 = new_opinion(w, status=Status.HANDLING, received_at=day(1, 6), subject="积水严重")
        _lead(w, o4, w.roads, due=datetime.date(2025, 1, 27), state="accepted", chased=2)
        o5 = new_opinion(
            w,
            status=Status.HANDLING,
            received_at=day(3, 6),
            subject="物业退回",
            returned_for_rework=1,
        )
        _lead(w, o5, w.housing, due=datetime.date(2025, 3, 10), state="accepted")
        o6 = new_opinion(w, status=Status.REFERRED, received_at=day(1, 20), subject="路灯不亮")
        _lead(w, o6, w.office_a, due=datetime.date(2025, 2, 14), state="pending")
        o7 = new_opinion(w, status=Status.REFERRED, received_at=day(3, 1), subject="垃圾清运")
        _lead(w, o7, w.office_a, due=datetime.date(2025, 3, 21), state="pending")
        far = new_opinion(
            w,
            district=w.far_district,
            street=None,
            place=None,
            station=None,
            deputy=None,
            status=Status.REFERRED,
            received_at=day(1, 2),
            subject="江岸区的事",
        )
        _lead(w, far, w.unit_far, due=datetime.date(2025, 1, 20), state="pending")
    return {"o1": o1, "o4": o4, "o5": o5, "o6": o6, "o7": o7, "far": far}


def page(client, user, url=HOME):
    client.force_login(user)
    with frozen(NOW):
        response = client.get(url)
    assert response.status_code == 200, url
    return response


def glance(text: str) -> list[dict]:
    """The figures of each period row of the glance table, as the page shows them."""
    table = re.search(r'<table[^>]*id="glance".*?</table>', text, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return [dict(re.findall(r'data-figure="(\w+)">([^<]*)<', row)) for row in rows]


def shown(value) -> str:
    return "—" if value is None else f"{value}%"


def test_the_leader_home_is_the_district_at_a_glance(client, w, data):
    response = page(client, w.leader)
    text = response.text
    assert "主任会议成员工作台" in text
    assert "全区概况" in text and "承办单位排名" in text
    # Not the staff's overview of streets and stations.
    assert "各街道的联络站点和进站代表数" not in text


def test_the_figures_are_the_statistics_pages(client, w, data):
    rows = glance(page(client, w.leader).text)
    periods = [("2025-03-01", "2025-03-28"), ("2025-01-01", "2025-03-28")]
    for row, (start, end) in zip(rows, periods, strict=True):
        stats_page = page(client, w.leader, f"/work/opinions/stats/?start={start}&end={end}")
        total = stats_page.context["figures"].total
        assert row == {
            "collected": str(total.collected),
            "closed": str(total.closed),
            "on_time_rate": shown(total.on_time_rate),
            "satisfaction_rate": shown(total.satisfaction_rate),
        }
    # And the numbers themselves: March has o1, o2, o3, o5 and o7; the year o4 and o6 too.
    assert [row["collected"] for row in rows] == ["5", "7"]
    assert [row["closed"] for row in rows] == ["3", "3"]
    assert rows[0]["on_time_rate"] == "66.7%"
    assert rows[0]["satisfaction_rate"] == "66.7%"


def test_overdue_now_is_the_queues_overdue_filter(client, w, data):
    text = page(client, w.leader).text
    # o4, o5, o6, o7 owe their reply past the due date; 江岸区's is not the leader's.
    assert re.search(
        r'href="/work/opinions/\?deadline=overdue" data-figure="overdue_now">4 件', text
    )
    queue = page(client, w.leader, "/work/opinions/?deadline=overdue").text
    for key in ("o4", "o5", "o6", "o7"):
        assert data[key].tracking_code in queue
    assert re.search(r'data-figure="very_overdue">2 件', text)


def test_very_overdue_cases_are_listed_oldest_first_each_linking_to_its_case(client, w, data):
    text = page(client, w.leader).text
    listed = re.search(r'<ol[^>]*id="very-overdue">(.*?)</ol>', text, re.S).group(1)
    links = re.findall(r'href="/work/opinions/(\d+)/"', listed)
    assert links == [str(data["o4"].pk), str(data["o6"].pk)]
    assert "武昌区城市管理执法局" in listed
    # o4 was due on 2025-01-27: 60 days before the 28th of March.
    assert "超期 60 天" in listed
    assert data["far"].subject not in text
    assert 'href="/work/opinions/?deadline=very_overdue"' in text


def test_key_cases_are_those_sent_back_or_chased(client, w, data):
    text = page(client, w.leader).text
    listed = re.search(r'<ol[^>]*id="key-cases">(.*?)</ol>', text, re.S).group(1)
    links = re.findall(r'href="/work/opinions/(\d+)/"', listed)
    # o4 (chased) received in January, then o5 (sent back after an unsatisfied rating).
    assert links == [str(data["o4"].pk), str(data["o5"].pk)]
    # Closed, a key case no longer is one.
    Opinion.objects.filter(pk=data["o5"].pk).update(status=Status.CLOSED)
    listed = re.search(r'<ol[^>]*id="key-cases">(.*?)</ol>', page(client, w.leader).text, re.S)
    assert re.findall(r'href="/work/opinions/(\d+)/"', listed.group(1)) == [str(data["o4"].pk)]


def league(text: str) -> list[tuple[str, str, str, str, str]]:
    """(rank, unit, on-time rate, satisfaction rate, overdue) of each row, in order."""
    table = re.search(r'<table[^>]*id="league-table".*?</table>', text, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    result = []
    for row in rows:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        result.append((cells[0], cells[1], cells[4], cells[5], cells[6]))
    return result


HOUSING, ROADS, OFFICE = "武昌区住房和城市更新局", "武昌区城市管理执法局", "甲街道办事处"


def test_the_league_table_ranks_by_on_time_rate_by_default(client, w, data):
    # roads replied on time to the one it replied to; housing to one of two; 甲街道办事处
    # has replied to nothing yet: listed last, unranked.
    assert league(page(client, w.leader).text) == [
        ("1", ROADS, "100.0%", "0.0%", "1"),
        ("2", HOUSING, "50.0%", "100.0%", "1"),
        ("—", OFFICE, "—", "—", "2"),
    ]


def test_the_league_table_sorts_by_the_address(client, w, data):
    by_satisfaction = league(page(client, w.leader, HOME + "?sort=satisfaction").text)
    assert [(rank, unit) for rank, unit, *_ in by_satisfaction] == [
        ("1", HOUSING),
        ("2", ROADS),
        ("—", OFFICE),
    ]
    # Fewest overdue first; ties share their rank.
    by_overdue = league(page(client, w.leader, HOME + "?sort=overdue").text)
    assert [(rank, unit) for rank, unit, *_ in by_overdue] == [
        ("1", HOUSING),
        ("1", ROADS),
        ("3", OFFICE),
    ]
    # An unknown order is the default one.
    assert league(page(client, w.leader, HOME + "?sort=nonsense").text)[0][1] == ROADS


def test_the_league_figures_are_the_statistics_pages_units(client, w, data):
    text = page(client, w.leader).text
    stats_page = page(client, w.leader, "/work/opinions/stats/?start=2025-01-01&end=2025-03-28")
    units = {row.label: row for row in stats_page.context["figures"].units}
    for _rank, unit, on_time, satisfaction, _overdue in league(text):
        assert on_time == shown(units[unit].on_time_rate)
        assert satisfaction == shown(units[unit].satisfaction_rate)


def test_a_unit_with_only_overdue_work_of_last_year_is_listed(client, w, data):
    with frozen(NOW):
        water = f.HandlingUnitFactory(region=w.district, name="武昌区水务和湖泊局")
        received = datetime.datetime(2024, 12, 1, 10, tzinfo=SHANGHAI)
        old = new_opinion(w, status=Status.REFERRED, received_at=received)
        _lead(w, old, water, due=datetime.date(2024, 12, 20), state="pending")
    rows = league(page(client, w.leader).text)
    # Unranked (nothing replied this year), after the ranked ones, by name.
    assert rows[-2:] == [("—", "武昌区水务和湖泊局", "—", "—", "1"), ("—", OFFICE, "—", "—", "2")]
    by_overdue = league(page(client, w.leader, HOME + "?sort=overdue").text)
    assert [(rank, unit) for rank, unit, *_ in by_overdue][:3] == [
        ("1", HOUSING),
        ("1", ROADS),
        ("1", "武昌区水务和湖泊局"),
    ]


# --- who sees it ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "staff", "admin"])
def test_leaders_staff_and_administrators_see_the_overview_page(client, w, data, who):
    text = page(client, w.users[who], OVERVIEW).text
    assert "区情总览" in text
    assert data["o4"].subject in text


@pytest.mark.parametrize("who", ["street", "deputy", "liaison", "unit", "citizen", "enterprise"])
def test_other_roles_are_refused_the_overview_page(client, w, data, who):
    client.force_login(w.users[who])
    assert client.get(OVERVIEW).status_code == 403


def test_the_overview_page_asks_to_sign_in(client, db):
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_of_another_district_see_their_own(client, w, data):
    text = page(client, w.far_staff, OVERVIEW).text
    assert data["far"].subject in text
    assert data["o4"].subject not in text


def test_the_staff_home_links_to_the_overview_and_the_street_home_does_not(client, w):
    assert f'href="{OVERVIEW}"' in page(client, w.staff).text
    assert f'href="{OVERVIEW}"' not in page(client, w.street).text


def test_the_leader_home_costs_the_same_with_more_cases_and_units(
    client, w, data, django_assert_max_num_queries
):
    client.force_login(w.leader)
    with frozen(NOW), django_assert_max_num_queries(HOME_MAX_QUERIES):
        client.get(HOME)
    with frozen(NOW):
        for n in range(6):
            unit = f.HandlingUnitFactory(region=w.district, name=f"单位{n}")
            opinion = new_opinion(w, status=Status.HANDLING, received_at=day(1, 3 + n))
            _lead(w, opinion, unit, due=datetime.date(2025, 1, 20), state="accepted", chased=1)
    cache.clear()
    with frozen(NOW), django_assert_max_num_queries(HOME_MAX_QUERIES):
        response = client.get(HOME)
    assert len(league(response.text)) == 9
