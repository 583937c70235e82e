"""The publish_workdays and seed_workdays commands, as an operator runs them."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from zhitong.core.models import Event
from zhitong.workdays.models import CalendarDay, CalendarYear
from zhitong.workdays.selectors import add_working_days

D = datetime.date
SOURCE = "测试用放假安排（虚构）"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_publish_workdays_reads_a_csv_with_header_bom_and_short_kinds(tmp_path, root):
    path = tmp_path / "2027.csv"
    path.write_text(
        "\ufeffdate,kind,name\n"
        "# 元旦\n"
        "2027-01-01,休,元旦\n"
        "2027/1/2,holiday,元旦\n"
        "\n"
        "2027-01-09,班,元旦\n",
        encoding="utf-8",
    )
    out, _err = run("publish_workdays", "2027", str(path), "--source", SOURCE, "--as", "root")
    assert "已发布2027年放假安排：新增 3 天" in out
    calendar_year = CalendarYear.objects.get(year=2027)
    assert calendar_year.source == SOURCE
    assert list(calendar_year.days.values_list("date", "kind", "name")) == [
        (D(2027, 1, 1), "holiday", "元旦"),
        (D(2027, 1, 2), "holiday", "元旦"),
        (D(2027, 1, 9), "makeup_workday", "元旦"),
    ]
    assert Event.objects.for_object(calendar_year).count() == 1
    assert add_working_days(D(2026, 12, 20), 15).due == D(2027, 1, 9)


def test_publish_workdays_lists_every_bad_line_and_changes_nothing(tmp_path, root):
    path = tmp_path / "2027.csv"
    path.write_text(
        "2027-01-01,休,元旦\n2027-13-01,休,元旦\n2027-01-04,班\n2026-12-31,休,元旦\n",
        encoding="utf-8",
    )
    events, days = Event.objects.count(), CalendarDay.objects.count()
    with pytest.raises(CommandError, match="没有做任何修改"):
        run("publish_workdays", "2027", str(path), "--source", SOURCE, "--as", "root")
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert (Event.objects.count(), CalendarDay.objects.count()) == (events, days)


def test_publish_workdays_reports_line_numbers(tmp_path, root):
    path = tmp_path / "2027.csv"
    path.write_text("2027-01-01,休,元旦\n2027-13-01,休,元旦\n2027-01-04,班\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "publish_workdays", "2027", str(path), "--source", SOURCE, "--as", "root", stderr=err
        )
    assert "第2行的日期“2027-13-01”无法识别" in err.getvalue()
    assert "第3行应有3列" in err.getvalue()


def test_publish_workdays_needs_a_known_account_with_the_permission(tmp_path, outsider):
    path = tmp_path / "2027.csv"
    path.write_text("2027-01-01,休,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="没有账号"):
        run("publish_workdays", "2027", str(path), "--source", SOURCE, "--as", "nobody")
    with pytest.raises(CommandError, match="没有发布工作日历的权限"):
        run("publish_workdays", "2027", str(path), "--source", SOURCE, "--as", "outsider")
    with pytest.raises(CommandError, match="找不到文件"):
        run(
            "publish_workdays",
            "2027",
            str(tmp_path / "no.csv"),
            "--source",
            SOURCE,
            "--as",
            "outsider",
        )
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_seed_workdays_restores_a_missing_year_from_the_package_and_leaves_the_rest(root):
    CalendarYear.objects.filter(year=2025).delete()
    untouched = CalendarYear.objects.get(year=2026).revision
    out, _err = run("seed_workdays", "--as", "root")
    assert "已发布：2025" in out
    calendar_year = CalendarYear.objects.get(year=2025)
    assert calendar_year.source == "chinesecalendar 1.11.0"
    assert calendar_year.days.get(date=D(2025, 2, 8)).kind == "makeup_workday"
    assert Event.objects.for_object(calendar_year).count() == 1
    assert CalendarYear.objects.get(year=2026).revision == untouched
    out, _err = run("seed_workdays", "--as", "root")
    assert "没有需要发布的年份" in out


def test_seed_workdays_refuses_a_year_the_package_does_not_know(root):
    with pytest.raises(CommandError, match="2027"):
        run("seed_workdays", "--year", "2027", "--as", "root")
