"""Opening hours read from the text staff write: the weekdays and periods a station is open."""

import pytest

from zhitong.demo import places
from zhitong.stations.hours import read_hours

AM, PM, EVE = "am", "pm", "evening"
WEEK = range(5)


def slots(text):
    hours = read_hours(text)
    return None if hours is None else set(hours.slots)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("工作日 9:00-12:00，14:30-17:30", {(d, p) for d in WEEK for p in (AM, PM)}),
        ("周一至周五 9:00-17:00", {(d, p) for d in WEEK for p in (AM, PM)}),
        ("周二、周四 14:30-17:30；其他时间请预约", {(1, PM), (3, PM)}),
        ("周二、四 9:00-11:00", {(1, AM), (3, AM)}),
        ("周二上午、周四下午", {(1, AM), (3, PM)}),
        ("周三 下午2:30-5:30", {(2, PM)}),
        ("每天 19:00-21:00", {(d, EVE) for d in range(7)}),
        ("周一到周三", {(d, p) for d in range(3) for p in (AM, PM)}),
        ("星期六至星期一 全天", {(d, p) for d in (5, 6, 0) for p in (AM, PM)}),
        ("周末 9：00—12：00", {(5, AM), (6, AM)}),
        ("礼拜三 14:30至17:30", {(2, PM)}),
        (
            "工作日 8:30-12:00，14:30-18:00；周六上午 9:00-11:30",
            {(d, p) for d in WEEK for p in (AM, PM)} | {(5, AM)},
        ),
        # 18:00 closes the afternoon; only a range past it opens the evening.
        ("周一 14:30-18:00；周三晚上 19:00-21:00", {(0, PM), (2, EVE)}),
    ],
)
def test_reads_the_ways_the_office_writes_hours(text, expected):
    assert slots(text) == expected


def test_monthly_days_are_not_weekly_hours():
    assert slots("周一至周五 9:00-17:00；每月20日代表统一活动日全天接待") == {
        (d, p) for d in WEEK for p in (AM, PM)
    }
    assert slots("每月第一个周六 全天") is None


@pytest.mark.parametrize("text", ["", "请电话预约", "9:00-17:00", "不定期开放"])
def test_text_without_a_weekday_is_unknown(text):
    assert read_hours(text) is None


def test_a_whole_day_needs_the_morning_and_the_afternoon():
    hours = read_hours("工作日 9:00-12:00；周二、周四 14:30-17:30")
    assert hours.is_open(1, "day") and hours.is_open(0, "am")
    assert not hours.is_open(0, "day") and not hours.is_open(0, "pm")
    assert not hours.is_open(5, "am") and not hours.is_open(1, "evening")


def test_describes_the_slots_in_a_short_line():
    hours = read_hours("工作日 8:30-12:00，14:30-18:00；周六上午 9:00-11:30")
    assert hours.describe() == "星期一至星期五 上午、下午；星期六 上午"
    assert read_hours("周二、周三 9:00-11:00").describe() == "星期二、星期三 上午"


def test_every_demo_text_is_understood():
    for texts in places.OPENING_HOURS.values():
        for text in texts:
            assert read_hours(text) is not None, text
