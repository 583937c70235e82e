"""The deadline explanation a case page includes: start, days, holidays, make-up days, provisional."""

import datetime

from django.template.loader import render_to_string

from zhitong.workdays.selectors import add_working_days

D = datetime.date
TEMPLATE = "workdays/_deadline_explanation.html"


def test_explanation_lists_skipped_holidays_and_counted_make_up_days(db):
    html = render_to_string(TEMPLATE, {"deadline": add_working_days(D(2026, 2, 10), 15)})
    assert "2026年3月9日" in html
    assert "2026年2月10日（当日不计）" in html
    assert "15 个工作日" in html
    assert "2026年2月16日 春节" in html
    assert "2026年2月14日 春节" in html
    assert "暂定" not in html


def test_a_provisional_deadline_says_so(db):
    html = render_to_string(TEMPLATE, {"deadline": add_working_days(D(2026, 12, 20), 15)})
    assert "暂定" in html
    assert "2027年的放假安排尚未发布" in html
    assert "2027年1月8日" in html
