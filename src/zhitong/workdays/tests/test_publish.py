"""Staff publishing a year's schedule: validation, the event, the hooks, and fresh deadlines."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhitong.core.models import Event
from zhitong.workdays.models import CalendarDay, CalendarYear
from zhitong.workdays.selectors import add_working_days
from zhitong.workdays.services import calendar_year_publish

D = datetime.date
HOLIDAY = CalendarDay.Kind.HOLIDAY
MAKEUP = CalendarDay.Kind.MAKEUP_WORKDAY
SOURCE = "测试用放假安排（虚构）"


def calendar_events(year):
    calendar_year = CalendarYear.objects.filter(year=year).first()
    if calendar_year is None:
        return []
    return list(Event.objects.for_object(calendar_year))


def snapshot():
    """Everything publishing may touch, to prove a refused publish changed nothing."""
    return (
        list(CalendarYear.objects.order_by("year").values_list("year", "status", "revision")),
        list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name")),
        Event.objects.count(),
    )


def test_publishing_2027_makes_the_deadline_final_and_moves_it_past_new_year(root):
    before = add_working_days(D(2026, 12, 20), 15)
    assert before.provisional and before.due == D(2027, 1, 8)

    calendar_year = calendar_year_publish(
        year=2027, days=[(D(2027, 1, 1), HOLIDAY, "元旦")], source=SOURCE, by=root
    )

    assert calendar_year.is_published
    assert calendar_year.updated_by == root
    assert calendar_year.published_at is not None
    after = add_working_days(D(2026, 12, 20), 15)
    # 12-21..12-31 (9), 1-1 now a holiday, 1-4..1-8 (14), Mon 1-11 (15).
    assert after.due == D(2027, 1, 11)
    assert not after.provisional
    assert [(entry.date, entry.name) for entry in after.holidays_skipped] == [
        (D(2027, 1, 1), "元旦")
    ]


def test_publishing_writes_one_event_with_the_days_added(root):
    calendar_year_publish(
        year=2027,
        days=[(D(2027, 1, 1), HOLIDAY, "元旦"), (D(2027, 1, 9), MAKEUP, "元旦")],
        source=SOURCE,
        by=root,
    )
    [event] = calendar_events(2027)
    assert event.verb == "calendar_published"
    assert event.actor == root
    assert (event.from_state, event.to_state) == ("draft", "published")
    assert event.data["source"] == SOURCE
    assert event.data["added"] == [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-01-09", "kind": "makeup_workday", "name": "元旦"},
    ]
    assert event.data["removed"] == [] and event.data["changed"] == []
    # The make-up Saturday pulls the deadline back: 1-4..1-8 (14), Sat 1-9 (15).
    assert add_working_days(D(2026, 12, 20), 15).due == D(2027, 1, 9)


def test_republishing_a_year_records_what_was_removed_and_changed(root):
    days_2026 = list(
        CalendarDay.objects.filter(year__year=2026).values_list("date", "kind", "name")
    )
    # Staff drop the 2-14 make-up Saturday and rename 2-23.
    edited = [
        (day, kind, "春节（调休）" if day == D(2026, 2, 23) else name)
        for day, kind, name in days_2026
        if day != D(2026, 2, 14)
    ]
    calendar_year_publish(year=2026, days=edited, source="更正", by=root)

    [event] = calendar_events(2026)
    assert (event.from_state, event.to_state) == ("published", "published")
    assert event.data["added"] == []
    assert event.data["removed"] == [
        {"date": "2026-02-14", "kind": "makeup_workday", "name": "春节"}
    ]
    assert event.data["changed"] == [
        {
            "date": "2026-02-23",
            "from": {"kind": "holiday", "name": "春节"},
            "to": {"kind": "holiday", "name": "春节（调休）"},
        }
    ]
    # Without the 2-14 working Saturday the Spring Festival deadline moves a day later.
    assert add_working_days(D(2026, 2, 10), 15).due == D(2026, 3, 10)
    assert CalendarYear.objects.get(year=2026).source == "更正"


def test_hooks_run_inside_the_transaction_and_see_the_new_calendar(root, register_hook):
    calls = []

    @register_hook
    def recompute(*, year, by):
        calls.append(
            {
                "year": year,
                "by": by,
                "in_transaction": transaction.get_connection().in_atomic_block,
                "due": add_working_days(D(2026, 12, 20), 15).due,
                "events": len(calendar_events(year)),
            }
        )

    calendar_year_publish(
        year=2027, days=[(D(2027, 1, 1), HOLIDAY, "元旦")], source=SOURCE, by=root
    )
    assert calls == [
        {"year": 2027, "by": root, "in_transaction": True, "due": D(2027, 1, 11), "events": 1}
    ]


def test_a_failing_hook_undoes_the_whole_publish(root, register_hook):
    @register_hook
    def broken(*, year, by):
        raise RuntimeError("recompute failed")

    add_working_days(D(2026, 12, 20), 15)  # cache the provisional calendar first
    before = snapshot()
    with pytest.raises(RuntimeError):
        calendar_year_publish(
            year=2027, days=[(D(2027, 1, 1), HOLIDAY, "元旦")], source=SOURCE, by=root
        )
    assert snapshot() == before
    deadline = add_working_days(D(2026, 12, 20), 15)
    assert deadline.provisional and deadline.due == D(2027, 1, 8)


@pytest.mark.parametrize(
    ("year", "days", "message"),
    [
        (2027, [(D(2026, 12, 31), HOLIDAY, "元旦")], "2026-12-31 不在2027年内"),
        (
            2027,
            [(D(2027, 1, 1), HOLIDAY, "元旦"), (D(2027, 1, 1), HOLIDAY, "元旦")],
            "2027-01-01 重复出现",
        ),
        (2027, [(D(2027, 1, 1), "vacation", "元旦")], "类型“vacation”无效"),
        (2027, [(D(2027, 1, 4), MAKEUP, "元旦")], "不能设为调休上班日"),
        (2027, [(D(2027, 1, 1), HOLIDAY, "  ")], "缺少节日名称"),
        (2027, [(D(2027, 1, 1), HOLIDAY)], "格式不对"),
        (2027, [("2027-01-01", HOLIDAY, "元旦")], "日期“2027-01-01”无效"),
        (1999, [], "年份必须是2000至2100之间的整数"),
        # A year already published keeps its days when a correction is refused.
        (
            2026,
            [(D(2026, 2, 14), HOLIDAY, "春节"), (D(2025, 2, 8), MAKEUP, "春节")],
            "不在2026年内",
        ),
    ],
)
def test_invalid_schedules_are_refused_with_a_chinese_message_and_change_nothing(
    root, year, days, message
):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        calendar_year_publish(year=year, days=days, source=SOURCE, by=root)
    assert any(message in text for text in error.value.messages), error.value.messages
    assert snapshot() == before


def test_every_problem_is_listed_at_once(root):
    with pytest.raises(ValidationError) as error:
        calendar_year_publish(
            year=2027,
            days=[(D(2026, 12, 31), HOLIDAY, "元旦"), (D(2027, 1, 4), MAKEUP, "")],
            source=SOURCE,
            by=root,
        )
    assert len(error.value.messages) == 3


def test_a_missing_source_is_refused(root):
    before = snapshot()
    with pytest.raises(ValidationError, match="请填写来源"):
        calendar_year_publish(year=2027, days=[], source=" ", by=root)
    assert snapshot() == before


def test_only_those_with_the_permission_may_publish(outsider, clerk):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="没有发布工作日历的权限"):
        calendar_year_publish(year=2027, days=[], source=SOURCE, by=outsider)
    with pytest.raises(PermissionDenied):
        calendar_year_publish(year=2027, days=[], source=SOURCE, by=None)
    assert snapshot() == before
    # Granting the permission is enough; no superuser needed.
    assert calendar_year_publish(year=2027, days=[], source=SOURCE, by=clerk).is_published


def test_a_change_published_by_another_process_is_seen_at_once(db):
    assert add_working_days(D(2026, 12, 28), 3).due == D(2026, 12, 31)  # cached here
    # Another process publishes a correction: new day, new revision.
    calendar_year = CalendarYear.objects.get(year=2026)
    CalendarDay.objects.create(year=calendar_year, date=D(2026, 12, 30), kind=HOLIDAY, name="测试")
    CalendarYear.objects.filter(pk=calendar_year.pk).update(revision=uuid.uuid4())
    assert add_working_days(D(2026, 12, 28), 3).due == D(2027, 1, 1)
