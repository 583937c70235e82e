"""Deadlines in working days on the seeded official calendar; expected dates worked out by hand."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhitong.workdays.deadlines import CalendarEntry, Deadline
from zhitong.workdays.selectors import (
    add_working_days,
    is_working_day,
    working_calendar,
    working_days_between,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def test_fifteen_working_days_across_the_2026_spring_festival():
    # 2026 春节: rest 2-15 (Sun) to 2-23 (Mon); make-up working Saturdays 2-14 and 2-28.
    # From Tue 2-10: 2-11, 2-12, 2-13, Sat 2-14 (4); 2-24..2-27 (8); Sat 2-28 (9);
    # 3-2..3-6 (14); Mon 3-9 (15).
    deadline = add_working_days(D(2026, 2, 10), 15)
    assert deadline.due == D(2026, 3, 9)
    assert not deadline.provisional
    assert deadline.provisional_years == ()
    assert deadline.start == D(2026, 2, 10)
    assert deadline.working_days == 15
    assert deadline.holidays_skipped == tuple(
        CalendarEntry(D(2026, 2, day), "春节") for day in (16, 17, 18, 19, 20, 23)
    )
    assert deadline.makeup_workdays_counted == (
        CalendarEntry(D(2026, 2, 14), "春节"),
        CalendarEntry(D(2026, 2, 28), "春节"),
    )


def test_a_make_up_working_saturday_counts_as_a_working_day():
    # Friday 2026-02-13 plus one working day is Saturday 2026-02-14, a 调休上班 day.
    assert add_working_days(D(2026, 2, 13), 1).due == D(2026, 2, 14)
    # 2025-02-08 (Saturday) was the make-up working day after the 2025 春节.
    assert add_working_days(D(2025, 2, 7), 1).due == D(2025, 2, 8)
    # An ordinary Saturday is not: Friday 2026-03-06 plus one is Monday 2026-03-09.
    assert add_working_days(D(2026, 3, 6), 1).due == D(2026, 3, 9)


def test_five_working_days_across_the_2025_national_day_and_mid_autumn():
    # Sun 9-28 was a make-up working day (1); 9-29, 9-30 (3); 10-1..10-8 rest
    # (国庆节 with 中秋节 on 10-6); Thu 10-9 (4); Fri 10-10 (5).
    deadline = add_working_days(D(2025, 9, 26), 5)
    assert deadline.due == D(2025, 10, 10)
    assert deadline.makeup_workdays_counted == (CalendarEntry(D(2025, 9, 28), "国庆节"),)
    assert [entry.date.day for entry in deadline.holidays_skipped] == [1, 2, 3, 6, 7, 8]
    assert CalendarEntry(D(2025, 10, 6), "中秋节") in deadline.holidays_skipped


def test_the_start_day_is_not_counted_whatever_it_is():
    assert add_working_days(D(2026, 3, 2), 1).due == D(2026, 3, 3)  # Monday -> Tuesday
    assert add_working_days(D(2026, 2, 16), 1).due == D(2026, 2, 24)  # from a holiday
    assert add_working_days(D(2026, 3, 1), 1).due == D(2026, 3, 2)  # from a Sunday
    assert add_working_days(D(2026, 3, 1), 0).due == D(2026, 3, 1)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 2), -1)
    with pytest.raises(TypeError):
        add_working_days(datetime.datetime(2026, 3, 2, 9, 0), 5)
    with pytest.raises(TypeError):
        add_working_days(D(2026, 3, 2), 1.5)


def test_a_deadline_running_into_unpublished_2027_is_provisional_and_counts_weekends_only():
    # From Sun 2026-12-20: 12-21..12-25 (5), 12-28..12-31 (9), Fri 2027-01-01 (10, no
    # holiday known yet), 1-4..1-8 (15).
    deadline = add_working_days(D(2026, 12, 20), 15)
    assert deadline.due == D(2027, 1, 8)
    assert deadline.provisional
    assert deadline.provisional_years == (2027,)
    assert deadline.holidays_skipped == ()


def test_a_deadline_inside_published_years_is_not_provisional():
    assert not add_working_days(D(2026, 11, 26), 15).provisional


def test_is_working_day():
    assert is_working_day(D(2026, 2, 14))  # make-up Saturday
    assert not is_working_day(D(2026, 2, 15))  # Sunday inside 春节
    assert not is_working_day(D(2026, 2, 16))  # Monday, 春节
    assert is_working_day(D(2026, 2, 24))
    assert not is_working_day(D(2026, 3, 7))  # ordinary Saturday
    assert is_working_day(D(2027, 1, 1))  # unpublished year: a Friday is a working day
    assert not is_working_day(D(2027, 1, 2))


def test_working_days_between_counts_after_the_first_date_up_to_the_second():
    assert working_days_between(D(2026, 2, 10), D(2026, 3, 9)) == 15
    assert working_days_between(D(2026, 3, 9), D(2026, 2, 10)) == -15
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2  # 2-14 and 2-24
    assert working_days_between(D(2026, 2, 14), D(2026, 2, 23)) == 0  # all 春节 rest
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0


def test_working_days_between_is_the_inverse_of_add_working_days():
    calendar = working_calendar()

    @settings(max_examples=300, deadline=None)
    @given(
        start=st.dates(min_value=D(2019, 12, 1), max_value=D(2027, 12, 31)),
        days=st.integers(min_value=0, max_value=80),
    )
    def check(start, days):
        deadline = calendar.add_working_days(start, days)
        assert calendar.working_days_between(start, deadline.due) == days
        if days:
            assert calendar.is_working_day(deadline.due)
            # The due date is the first day reaching the count: the day before falls short.
            previous = deadline.due - datetime.timedelta(days=1)
            assert calendar.working_days_between(start, previous) == days - 1

    check()


def test_explanation_says_how_the_deadline_was_computed():
    text = add_working_days(D(2026, 2, 10), 15).explanation()
    assert "2026年2月10日" in text
    assert "15个工作日" in text
    assert "2026年3月9日" in text
    assert "2026年2月16日（春节）" in text
    assert "计入调休上班日：2026年2月14日（春节）" in text
    assert "尚未发布" not in text
    provisional = add_working_days(D(2026, 12, 20), 15).explanation()
    assert "2027年的放假安排尚未发布" in provisional


def test_a_stored_deadline_reads_back_the_same():
    deadline = add_working_days(D(2026, 12, 20), 40)
    assert Deadline.from_data(deadline.as_data()) == deadline


def test_computing_100_deadlines_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    starts = [D(2025, 1, 1) + datetime.timedelta(days=9 * i) for i in range(100)]
    with django_assert_max_num_queries(2):
        calendar = working_calendar()
        deadlines = [calendar.add_working_days(start, 15) for start in starts]
    assert len({deadline.due for deadline in deadlines}) == 100


def test_one_call_takes_one_query_however_many_days_it_spans(django_assert_max_num_queries):
    working_calendar()  # warm the per-process snapshot
    with django_assert_max_num_queries(1):
        add_working_days(D(2020, 1, 1), 1500)
    with django_assert_max_num_queries(1):
        working_days_between(D(2020, 1, 1), D(2027, 6, 1))
