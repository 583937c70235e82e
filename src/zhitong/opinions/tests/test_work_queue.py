"""The work queue (/work/opinions/): who sees what, filters, keyset pages, bulk referral."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from zhitong.handling.models import Assignment
from zhitong.opinions import search
from zhitong.opinions.models import Channel, Opinion, Status
from zhitong.opinions.search import search_document
from zhitong.opinions.tests.lifecycle_world import build, new_opinion
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db
QUEUE = "/work/opinions/"


@pytest.fixture
def w(db):
    return build()


def codes(response) -> set[str]:
    return {row.opinion.tracking_code for row in response.context["rows"]}


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def spread(w):
    """Four opinions, one per way of being seen:

    a: 甲街道, at station_a (deputy 张甲 sits there, liaison keeps it)
    b: 乙街道, at station_b, nobody's in particular
    c: 乙街道, referred to the housing bureau (the unit)
    d: 乙街道, written to deputy 张甲 directly, no station
    """
    a = new_opinion(w, tracking_code="AAAA000001", subject="甲街道路灯")
    b = new_opinion(
        w,
        tracking_code="BBBB000002",
        street=w.street_b,
        place=None,
        station=w.station_b,
        deputy=None,
    )
    c = new_opinion(
        w,
        tracking_code="CCCC000003",
        street=w.street_b,
        place=None,
        station=None,
        deputy=None,
        status=Status.REFERRED,
    )
    f.ReferralFactory(opinion=c, unit=w.housing, assigned_by=w.staff)
    d = new_opinion(
        w, tracking_code="DDDD000004", street=w.street_b, place=None, station=None, deputy=w.dep_a
    )
    return {"a": a, "b": b, "c": c, "d": d}


ALL = {"AAAA000001", "BBBB000002", "CCCC000003", "DDDD000004"}


@pytest.mark.parametrize(
    "role, expected",
    [
        ("staff", ALL),
        ("leader", ALL),
        ("admin", ALL),
        ("street", {"AAAA000001"}),
        ("other_street", {"BBBB000002", "CCCC000003", "DDDD000004"}),
        ("deputy", {"AAAA000001", "DDDD000004"}),
        ("other_deputy", {"BBBB000002"}),
        ("liaison", {"AAAA000001"}),
        ("other_liaison", {"BBBB000002"}),
        ("unit", {"CCCC000003"}),
        ("co_unit", set()),
        ("far_staff", set()),
    ],
)
def test_each_role_sees_exactly_its_opinions(client, w, spread, role, expected):
    response = login(client, getattr(w, role)).get(QUEUE)
    assert response.status_code == 200
    assert codes(response) == expected


@pytest.mark.parametrize("role", ["citizen", "enterprise"])
def test_citizens_cannot_open_the_queue(client, w, spread, role):
    response = login(client, getattr(w, role)).get(QUEUE)
    assert response.status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, w):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_list_masks_submitters_names_and_phones(client, w, spread):
    response = login(client, w.staff).get(QUEUE)
    html = response.content.decode()
    assert "赵*" in html
    assert "139****1234" in html
    assert "赵六" not in html
    assert "13900001234" not in html


def test_empty_queue_says_so_in_chinese(client, w):
    response = login(client, w.staff).get(QUEUE)
    assert "暂无需要办理的意见。" in response.content.decode()


# --- filters ---------------------------------------------------------------------------


def test_filter_by_status_channel_street_station_and_unit(client, w, spread):
    login(client, w.staff)
    assert codes(client.get(QUEUE, {"status": Status.REFERRED})) == {"CCCC000003"}
    assert codes(client.get(QUEUE, {"status": "open"})) == ALL
    assert codes(client.get(QUEUE, {"status": "closed_all"})) == set()
    assert codes(client.get(QUEUE, {"street": w.street_a.pk})) == {"AAAA000001"}
    assert codes(client.get(QUEUE, {"station": w.station_b.pk})) == {"BBBB000002"}
    assert codes(client.get(QUEUE, {"unit": w.housing.pk})) == {"CCCC000003"}
    Opinion.objects.filter(pk=spread["b"].pk).update(channel=Channel.QR_STATION)
    assert codes(client.get(QUEUE, {"channel": Channel.QR_STATION})) == {"BBBB000002"}


def test_filter_by_category_takes_in_its_subcategories(client, w, spread):
    parent = f.CategoryFactory(name="民生保障", code="MS")
    child = f.CategoryFactory(name="养老", code="MS01", parent=parent)
    Opinion.objects.filter(pk=spread["a"].pk).update(category=parent)
    Opinion.objects.filter(pk=spread["b"].pk).update(category=child)
    login(client, w.staff)
    assert codes(client.get(QUEUE, {"category": parent.pk})) == {"AAAA000001", "BBBB000002"}
    assert codes(client.get(QUEUE, {"category": child.pk})) == {"BBBB000002"}


def test_filter_by_received_date_uses_local_days(client, w, spread):
    # 2025-03-01 00:30 in Shanghai is still 2025-02-28 in UTC.
    early = timezone.make_aware(datetime.datetime(2025, 3, 1, 0, 30))
    Opinion.objects.filter(pk=spread["a"].pk).update(received_at=early)
    Opinion.objects.filter(pk=spread["b"].pk).update(
        received_at=early - datetime.timedelta(hours=1)
    )
    login(client, w.staff)
    found = codes(client.get(QUEUE, {"date_from": "2025-03-01", "date_to": "2025-03-01"}))
    assert found == {"AAAA000001"}
    found = codes(client.get(QUEUE, {"date_to": "2025-02-28"}))
    assert found == {"BBBB000002"}


def test_a_reversed_date_range_is_flagged_and_ignored(client, w, spread):
    response = login(client, w.staff).get(
        QUEUE, {"date_from": "2025-03-02", "date_to": "2025-03-01"}
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.content.decode()


def _referral(w, opinion, *, due, state=Assignment.State.ACCEPTED, working_days=15):
    return f.ReferralFactory(
        opinion=opinion,
        unit=w.housing,
        assigned_by=w.staff,
        state=state,
        due_date=due,
        period=working_days,
    )


def test_overdue_and_very_overdue_filters_follow_the_stored_due_date(client, w, spread):
    today = timezone.localdate()
    # a: due yesterday → overdue; b: 10 working days allowed, due 20+ working days ago → very
    # overdue; d: due tomorrow → not overdue; c (pending, due in 21 days) → not overdue.
    _referral(w, spread["a"], due=today - datetime.timedelta(days=1))
    _referral(w, spread["b"], due=today - datetime.timedelta(days=40), working_days=10)
    _referral(w, spread["d"], due=today + datetime.timedelta(days=1))
    # A replied referral long past its date is not overdue: the unit has answered.
    late_but_answered = new_opinion(w, tracking_code="EEEE000005")
    _referral(
        w,
        late_but_answered,
        due=today - datetime.timedelta(days=60),
        state=Assignment.State.REPLIED,
    )
    login(client, w.staff)
    assert codes(client.get(QUEUE, {"deadline": "overdue"})) == {"AAAA000001", "BBBB000002"}
    assert codes(client.get(QUEUE, {"deadline": "very_overdue"})) == {"BBBB000002"}
    page = client.get(QUEUE).content.decode()
    assert "严重超期" in page and "超期" in page


def test_very_overdue_counts_working_days():
    from zhitong.handling.deadlines import very_overdue_from
    from zhitong.workdays.deadlines import WorkingCalendar

    calendar = WorkingCalendar()
    # Due Monday 2025-06-09, 5 working days allowed: very overdue from Monday 06-16, the
    # first day it is 5 working days late (Friday 06-13 is 4 late).
    due = datetime.date(2025, 6, 9)
    assert very_overdue_from(due, 5, calendar) == datetime.date(2025, 6, 16)
    assert calendar.working_days_between(due, datetime.date(2025, 6, 16)) == 5
    assert calendar.working_days_between(due, datetime.date(2025, 6, 15)) == 4


# Assignment dates over the 2026 Spring Festival and into 2027, which is not published here
# (weekends only, provisional) until the test publishes 元旦 (Fri 1-1 to Sun 1-3).
RANDOM_SCHEDULE_2027 = [
    (datetime.date(2027, 1, 1), "holiday", "元旦"),
    (datetime.date(2027, 1, 2), "holiday", "元旦"),
    (datetime.date(2027, 1, 3), "holiday", "元旦"),
]


def _random_cases(w, rng, count):
    """Referrals through the services on random days: several allowances, some extended
    (once or twice), some answered or returned (no longer running)."""
    from zhitong.opinions import services
    from zhitong.opinions.tests.lifecycle_world import at, frozen

    first = datetime.date(2025, 12, 1)
    for _ in range(count):
        day = first + datetime.timedelta(days=rng.randrange(400))
        with frozen(at(day)):
            opinion = new_opinion(w)
            services.opinion_accept(opinion=opinion, by=w.staff)
            lead = services.opinion_refer(
                opinion=opinion,
                by=w.staff,
                unit=w.housing,
                working_days=rng.choice([3, 5, 10, 15, 30]),
            )
        fate = rng.random()
        with frozen(at(day + datetime.timedelta(days=1))):
            if fate < 0.75:
                services.referral_accept(referral=lead, by=w.unit)
            if fate < 0.35:
                for _ in range(rng.choice([1, 1, 2])):
                    extension = services.extension_request(
                        referral=lead, by=w.unit, working_days=rng.choice([2, 5, 10]), reason="忙"
                    )
                    services.extension_decide(extension=extension, by=w.staff, approve=True)
            elif fate < 0.45:
                services.reply_submit(referral=lead, by=w.unit, text="已办理")
            elif fate >= 0.9:
                services.referral_return(referral=lead, by=w.unit, reason="不属于本单位")


def _exact(today, calendar):
    """The per-referral definition, worked out here without the stored dates: overdue when
    a running lead referral's due date is past; very overdue when it is late by at least
    the working days allowed in all (the stored computation's, extensions included)."""
    from zhitong.workdays.deadlines import Deadline

    overdue, very = set(), set()
    for referral in Assignment.objects.filter(
        role=Assignment.Role.LEAD, state__in=search.RUNNING_STATES, due_date__isnull=False
    ):
        if referral.due_date < today:
            overdue.add(referral.opinion.pk)
            allowed = Deadline.from_data(referral.deadline).working_days
            if calendar.working_days_between(referral.due_date, today) >= allowed:
                very.add(referral.opinion.pk)
    return overdue, very


def _filtered(deadline, today):
    flt = search.QueueFilter(deadline=deadline, today=today)
    return set(search.apply_filters(Opinion.objects.all(), flt).values_list("pk", flat=True))


def test_the_deadline_filters_agree_with_the_exact_definition_on_random_cases(w):
    import random

    from zhitong.opinions.selectors import deadline_state
    from zhitong.testing import factories
    from zhitong.workdays.selectors import working_calendar
    from zhitong.workdays.services import calendar_year_publish

    rng = random.Random(20261126)
    _random_cases(w, rng, 48)
    running = list(
        Assignment.objects.filter(role=Assignment.Role.LEAD, state__in=search.RUNNING_STATES)
    )
    # The cases cover what the definition turns on.
    assert any(r.deadline["working_days"] > r.period for r in running)  # extended
    assert len({r.period for r in running}) >= 3
    assert any(r.deadline_provisional for r in running)  # into unpublished 2027
    assert any(r.deadline["holidays_skipped"] for r in running)
    first = datetime.date(2025, 12, 1)
    days = [first + datetime.timedelta(days=rng.randrange(480)) for _ in range(20)]
    days += [datetime.date(2026, 3, 2), datetime.date(2027, 1, 12), datetime.date(2027, 2, 1)]
    root = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    seen_overdue_only = seen_very = False
    for published in (False, True):
        if published:
            calendar_year_publish(year=2027, days=RANDOM_SCHEDULE_2027, source="测试", by=root)
        calendar = working_calendar()
        assert calendar.is_published(2027) is published
        for today in days:
            overdue, very = _exact(today, calendar)
            assert _filtered(search.DEADLINE_OVERDUE, today) == overdue, today
            assert _filtered(search.DEADLINE_VERY_OVERDUE, today) == very, today
            seen_very |= bool(very)
            seen_overdue_only |= bool(overdue - very)
            # The badge on each row says the same as the filters.
            for referral in Assignment.objects.filter(
                role=Assignment.Role.LEAD, state__in=search.RUNNING_STATES
            ):
                state = deadline_state(referral, today, calendar=calendar)
                assert (state == "very_overdue") == (referral.opinion.pk in very)
                assert (state in ("overdue", "very_overdue")) == (referral.opinion.pk in overdue)
    assert seen_very and seen_overdue_only


def test_search_in_chinese_text(client, w, spread):
    Opinion.objects.filter(pk=spread["a"].pk).update(
        search_text=search_document("小区电梯坏了", "电梯三个月没人维修")
    )
    Opinion.objects.filter(pk=spread["b"].pk).update(
        search_text=search_document("路灯不亮", "晚上出行不便")
    )
    login(client, w.staff)
    assert codes(client.get(QUEUE, {"q": "电梯维修"})) == {"AAAA000001"}
    assert codes(client.get(QUEUE, {"q": "路灯"})) == {"BBBB000002"}
    assert codes(client.get(QUEUE, {"q": "电梯 路灯"})) == set()
    assert codes(client.get(QUEUE, {"q": "CCCC000003"})) == {"CCCC000003"}


def test_search_respects_the_scope(client, w, spread):
    Opinion.objects.filter(pk=spread["b"].pk).update(
        search_text=search_document("路灯不亮", "晚上出行不便")
    )
    assert codes(login(client, w.street).get(QUEUE, {"q": "路灯"})) == set()


# --- keyset pagination --------------------------------------------------------------------


def _many(w, count, *, tie_every=3):
    """`count` opinions, several sharing a received time (the id breaks the tie)."""
    base = timezone.now() - datetime.timedelta(days=1)
    made = []
    for i in range(count):
        made.append(
            new_opinion(
                w,
                tracking_code=f"K{i:09d}",
                received_at=base - datetime.timedelta(minutes=i // tie_every),
            )
        )
    return made


def _follow(client, url, direction):
    seen_pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen_pages.append([row.opinion.pk for row in response.context["rows"]])
        page = response.context["page"]
        if direction == "next":
            url = (
                f"{QUEUE}?{response.context['base_query']}&after={page.next_cursor}"
                if page.has_next
                else ""
            )
        else:
            url = (
                f"{QUEUE}?{response.context['base_query']}&before={page.previous_cursor}"
                if page.has_previous
                else ""
            )
    return seen_pages


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_keyset_pages_cover_everything_once_in_order(client, w, sort):
    made = _many(w, 60)
    login(client, w.staff)
    pages = _follow(client, f"{QUEUE}?sort={sort}", "next")
    assert [len(p) for p in pages] == [25, 25, 10]
    flat = [pk for page in pages for pk in page]
    expected = sorted(made, key=lambda o: (o.received_at, o.pk), reverse=sort == "newest")
    assert flat == [o.pk for o in expected]
    # And back again from the last page (after the last row of page 2) to the first.
    last_page = f"{QUEUE}?sort={sort}&after={_cursor_of(made, pages[1][-1], sort)}"
    back = _follow(client, last_page, "previous")
    assert [pk for page in reversed(back) for pk in page] == flat


def _cursor_of(made, pk, sort):
    opinion = next(o for o in made if o.pk == pk)
    return search.cursor_for(opinion, sort).encode()


def test_keyset_by_due_date_lists_running_deadlines_nearest_first(client, w):
    made = _many(w, 60)
    today = timezone.localdate()
    dues = {}
    for i, opinion in enumerate(made[:40]):
        dues[opinion.pk] = today + datetime.timedelta(days=i % 7)
        _referral(w, opinion, due=dues[opinion.pk])
    # Answered: no running deadline, so not in this order.
    _referral(w, made[40], due=today, state=Assignment.State.REPLIED)
    login(client, w.staff)
    pages = _follow(client, f"{QUEUE}?sort=due", "next")
    assert [len(p) for p in pages] == [25, 15]
    flat = [pk for page in pages for pk in page]
    assert flat == sorted(dues, key=lambda pk: (dues[pk], pk))
    # Backwards from the last page gives the first page again.
    response = client.get(f"{QUEUE}?sort=due")
    response = client.get(f"{QUEUE}?sort=due&after={response.context['page'].next_cursor}")
    back = client.get(f"{QUEUE}?sort=due&before={response.context['page'].previous_cursor}")
    assert [r.opinion.pk for r in back.context["rows"]] == pages[0]


def _overdue_spread(w, count):
    """`count` opinions received newest first while their due dates run the other way, so
    the due-date order differs from the received order; a third are not yet due."""
    made = _many(w, count, tie_every=1)
    today = timezone.localdate()
    dues = {}
    for i, opinion in enumerate(made):
        if i % 3 == 2:
            due = today + datetime.timedelta(days=5)
        else:
            # Several share a due date: the id orders them.
            due = today - datetime.timedelta(days=1 + (count - i) // 2)
        _referral(w, opinion, due=due)
        dues[opinion.pk] = due
    return made, dues, today


def test_a_deadline_filter_lists_the_most_overdue_first_unless_a_sort_is_chosen(client, w):
    made, dues, today = _overdue_spread(w, 60)
    overdue = sorted((pk for pk, due in dues.items() if due < today), key=lambda pk: (dues[pk], pk))
    login(client, w.staff)
    pages = _follow(client, f"{QUEUE}?deadline=overdue", "next")
    assert [len(p) for p in pages] == [25, 15]
    assert [pk for page in pages for pk in page] == overdue
    # Chosen explicitly, the order is kept: newest first, or the due date.
    response = client.get(QUEUE, {"deadline": "overdue", "sort": "newest"})
    newest = sorted(overdue, key=lambda pk: next(o.received_at for o in made if o.pk == pk))
    assert [r.opinion.pk for r in response.context["rows"]] == newest[::-1][:25]
    response = client.get(QUEUE, {"deadline": "overdue", "sort": "due"})
    assert [r.opinion.pk for r in response.context["rows"]] == overdue[:25]
    # Without a deadline filter the default stays newest first, every opinion listed.
    response = client.get(QUEUE)
    newest_all = sorted(made, key=lambda o: (o.received_at, o.pk), reverse=True)
    assert [r.opinion.pk for r in response.context["rows"]] == [o.pk for o in newest_all[:25]]


def test_the_default_order_is_offered_and_explained_in_the_sort_list(client, w):
    html = login(client, w.staff).get(QUEUE, {"deadline": "overdue"}).content.decode()
    assert (
        '<option value="" selected>默认（按期限筛选时期限早的在前，否则新的在前）</option>' in html
    )


def test_the_queue_filter_order():
    assert search.QueueFilter().order == search.SORT_NEWEST
    assert search.QueueFilter(deadline="overdue").order == search.SORT_DUE
    assert search.QueueFilter(deadline="very_overdue").order == search.SORT_DUE
    assert search.QueueFilter(deadline="overdue", sort="oldest").order == search.SORT_OLDEST
    assert search.QueueFilter(sort="due").order == search.SORT_DUE


def test_a_broken_cursor_shows_the_first_page(client, w):
    _many(w, 3)
    response = login(client, w.staff).get(QUEUE, {"after": "!!not-a-cursor"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 3


def test_pagination_keeps_the_filters(client, w):
    _many(w, 30)
    response = login(client, w.staff).get(QUEUE, {"street": w.street_a.pk})
    html = response.content.decode()
    link = re.search(r'rel="next" href="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"street={w.street_a.pk}" in link and "after=" in link


def test_cursor_query_for_gives_the_page_after_a_row(client, w):
    from zhitong.opinions.views_work import cursor_query_for

    made = _many(w, 10)
    ordered_ = sorted(made, key=lambda o: (o.received_at, o.pk), reverse=True)
    response = login(client, w.staff).get(f"{QUEUE}?{cursor_query_for(ordered_[6])}")
    assert [r.opinion.pk for r in response.context["rows"]] == [o.pk for o in ordered_[7:]]


# --- query count --------------------------------------------------------------------------


def _busy(w, count, days_late=3):
    today = timezone.localdate()
    for opinion in _many(w, count):
        lead = _referral(w, opinion, due=today - datetime.timedelta(days=days_late))
        f.ReferralFactory(
            opinion=opinion, unit=w.roads, assigned_by=w.staff, role="co", due_date=lead.due_date
        )


@pytest.mark.parametrize("deadline", ["overdue", "very_overdue"])
@pytest.mark.parametrize("count", [5, 50])
def test_the_queue_costs_a_fixed_number_of_queries(
    client, w, count, deadline, django_assert_max_num_queries
):
    _busy(w, count, days_late=40)
    login(client, w.staff)
    client.get(QUEUE)  # warm the calendar snapshot
    # 18: one asks whether a router is current (insights), for the untriaged rows.
    with django_assert_max_num_queries(18):
        response = client.get(QUEUE, {"status": "open", "deadline": deadline})
    assert len(response.context["rows"]) == min(count, 25)


@pytest.mark.parametrize("count", [5, 50])
def test_the_unit_queue_costs_a_fixed_number_of_queries(
    client, w, count, django_assert_max_num_queries
):
    _busy(w, count)
    login(client, w.unit)
    client.get(QUEUE)
    # 18: one asks whether a router is current (insights), for the untriaged rows.
    with django_assert_max_num_queries(18):
        response = client.get(QUEUE, {"sort": "due"})
    assert len(response.context["rows"]) == min(count, 25)


# --- bulk referral ------------------------------------------------------------------------


def _accepted(w, n):
    return [new_opinion(w, tracking_code=f"ACC{i:07d}", status=Status.ACCEPTED) for i in range(n)]


def test_bulk_referral_refers_every_ticked_opinion(client, w):
    opinions = _accepted(w, 3)
    login(client, w.staff)
    response = client.post(
        reverse("opinions:bulk_refer"),
        {"opinions": [o.pk for o in opinions], "unit": w.housing.pk, "query": "status=accepted"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?status=accepted")
    for opinion in opinions:
        opinion.refresh_from_db()
        assert opinion.status == Status.REFERRED
        assert opinion.referrals.get().unit == w.housing
    page = client.get(response["Location"])
    assert "已将 3 件意见转办至武昌区住房和城市更新局。" in page.content.decode()


def test_bulk_referral_is_all_or_nothing(client, w):
    opinions = _accepted(w, 2)
    still_received = new_opinion(w, tracking_code="RCV0000001")
    login(client, w.staff)
    response = client.post(
        reverse("opinions:bulk_refer"),
        {"opinions": [o.pk for o in [*opinions, still_received]], "unit": w.housing.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "RCV0000001" in html and "不能进行此操作" in html
    assert not Assignment.objects.exists()
    assert set(Opinion.objects.values_list("status", flat=True)) == {
        Status.ACCEPTED,
        Status.RECEIVED,
    }
    # The ticks survive the refusal, so the clerk can untick the wrong one.
    assert (
        f'value="{opinions[0].pk}" id="pick-{opinions[0].pk}" form="bulk-refer-form" checked'
        in html
    )


def test_bulk_referral_to_an_unknown_unit_is_refused(client, w):
    opinions = _accepted(w, 2)
    login(client, w.staff)
    response = client.post(
        reverse("opinions:bulk_refer"), {"opinions": [o.pk for o in opinions], "unit": 999999}
    )
    assert response.status_code == 400
    assert "所选承办单位不存在或已停用。" in response.content.decode()
    assert not Assignment.objects.exists()


def test_bulk_referral_of_an_opinion_out_of_scope_is_refused(client, w):
    mine = _accepted(w, 1)
    theirs = new_opinion(w, tracking_code="THEIRS0001", street=w.street_b, status=Status.ACCEPTED)
    login(client, w.street)
    response = client.post(
        reverse("opinions:bulk_refer"), {"opinions": [mine[0].pk, theirs.pk], "unit": w.housing.pk}
    )
    assert response.status_code == 400
    assert "勾选的意见不存在或无权办理。" in response.content.decode()
    assert not Assignment.objects.exists()


def test_bulk_referral_without_ticks_asks_for_them(client, w):
    response = login(client, w.staff).post(reverse("opinions:bulk_refer"), {"unit": w.housing.pk})
    assert response.status_code == 400
    assert "请至少勾选一件意见。" in response.content.decode()


@pytest.mark.parametrize("role", ["deputy", "liaison", "unit", "citizen"])
def test_only_referring_staff_may_bulk_refer(client, w, role):
    opinions = _accepted(w, 1)
    response = login(client, getattr(w, role)).post(
        reverse("opinions:bulk_refer"), {"opinions": [opinions[0].pk], "unit": w.housing.pk}
    )
    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_bulk_controls_show_only_for_referring_staff(client, w):
    _accepted(w, 1)
    assert "bulk-refer-form" in login(client, w.staff).get(QUEUE).content.decode()
    client.logout()
    assert "bulk-refer-form" not in login(client, w.deputy).get(QUEUE).content.decode()


def test_the_queue_offers_recording_to_those_who_record(client, w):
    record = reverse("opinions:record")
    assert record in login(client, w.deputy).get(QUEUE).content.decode()
    assert record in login(client, w.staff).get(QUEUE).content.decode()
    assert record not in login(client, w.unit).get(QUEUE).content.decode()


@pytest.mark.parametrize("days_from_today", [-40, -12, -1, 0, 2, 10])
@pytest.mark.parametrize("state", [Assignment.State.ACCEPTED, Assignment.State.REPLIED])
def test_the_pages_deadline_state_agrees_with_the_selector(w, days_from_today, state):
    from zhitong.opinions.selectors import deadline_state as selector_state
    from zhitong.opinions.views_work import deadline_state as page_state
    from zhitong.workdays.selectors import working_calendar

    today = timezone.localdate()
    referral = _referral(
        w, new_opinion(w), due=today + datetime.timedelta(days=days_from_today), state=state
    )
    referral.period = 10
    assert page_state(referral, today, working_calendar()) == selector_state(referral, today)


def test_the_overdue_filters_agree_with_the_selector_day_by_day(w):
    from zhitong.opinions.selectors import deadline_state

    today = timezone.localdate()
    made = {}
    for back in range(0, 30):
        for allowed in (3, 10):
            opinion = new_opinion(w)
            referral = _referral(
                w, opinion, due=today - datetime.timedelta(days=back), working_days=allowed
            )
            made[opinion.pk] = deadline_state(referral, today)
    scoped = Opinion.objects.filter(pk__in=made)
    overdue = set(scoped.filter(search.overdue_q(today)).values_list("pk", flat=True))
    very = set(scoped.filter(search.very_overdue_q(today)).values_list("pk", flat=True))
    assert overdue == {pk for pk, s in made.items() if s in ("overdue", "very_overdue")}
    assert very == {pk for pk, s in made.items() if s == "very_overdue"}
    assert very and overdue - very
