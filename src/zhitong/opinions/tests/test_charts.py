"""The statistics page's charts and drill-down (opinions.charts): each chart draws exactly
the figures its table shows, and each figure (a table's number, a chart's bar) leads to a
list of as many opinions as it says; on the demo district, for each kind of account, from
the live counts and from the summary; and the page in English.
"""

from __future__ import annotations

import datetime
import json
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhitong.accounts.models import User
from zhitong.opinions import charts
from zhitong.regions.models import Region

pytestmark = pytest.mark.django_db

WUCHANG = "420106"
# Which count of a group a column's link lists (a rate lists its numerator's opinions).
NUMERATOR = {
    "collected": "collected",
    "closed": "closed",
    "closure_rate": "closed",
    "on_time_rate": "on_time",
    "rated": "rated",
    "satisfaction_rate": "satisfied",
    "overdue": "overdue",
    "closed_default": "closed_default",
}
# The accounts whose scopes differ: a district, a street, a unit, a deputy.
USERNAMES = ["staff", "street", "unit", "deputy"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seed for the module, rolled back at its end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, stdout=StringIO())
        yield Region.objects.get(code=WUCHANG)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def period() -> dict:
    """The demo's half year and some (it runs up to today)."""
    today = timezone.localdate()
    return {"start": (today - datetime.timedelta(days=220)).isoformat(), "end": today.isoformat()}


class _Tables(HTMLParser):
    """The page's tables by id: per body row its heading and its cells (text, link)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, dict] = {}
        self._table = None
        self._row: list | None = None
        self._cell: list | None = None
        self._section = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], {"columns": [], "rows": []})
        elif self._table is None:
            return
        elif tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = ["", None]
        elif tag == "a" and self._cell is not None:
            self._cell[1] = attrs["href"]

    def handle_endtag(self, tag):
        if self._table is None:
            return
        if tag == "table":
            self._table = None
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append((self._cell[0].strip(), self._cell[1]))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._section == "thead":
                self._table["columns"] = [text for text, _link in self._row[1:]]
            else:
                self._table["rows"].append((self._row[0][0], self._row[1:]))
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data


def tables_of(html: str) -> dict[str, dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def chart_data(html: str) -> list[dict]:
    found = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html)
    assert found, "the page carries its charts' data"
    return json.loads(found.group(1))


def shown(value) -> str:
    """A figure as the table writes it."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}%"
    return str(value)


def stats_page(client, username):
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("opinions:stats"), period())
    assert response.status_code == 200
    return response


def queue_total(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    total = response.context["total"]
    assert f"共 {total} 件" in response.content.decode()
    return total


@pytest.mark.parametrize("username", USERNAMES)
def test_each_chart_draws_the_figures_its_table_shows(client, seeded, username):
    response = stats_page(client, username)
    html = response.content.decode()
    tables = tables_of(html)
    data = chart_data(html)
    ids = {chart["id"] for chart in data}
    assert "trend" in ids
    figures = response.context["figures"]
    # A chart for every breakdown the issue names that has groups in this scope.
    expected = {b.key for b in figures.breakdowns if b.rows and b.key != "station"}
    assert ids == {"trend"} | expected
    for chart in data:
        table = tables[f"table-{chart['id']}"]
        assert [label for label, _cells in table["rows"]] == chart["categories"]
        for series in chart["series"]:
            column = table["columns"].index(series["name"])
            cells = [cells[column] for _label, cells in table["rows"]]
            assert [text for text, _link in cells] == [shown(v) for v in series["data"]]
            # The bar opens the list the table's number opens.
            assert [link for _text, link in cells] == series["urls"]
            assert all(series["urls"]) or series["field"].endswith("_rate")


def _sample(rows: list, size: int = 2) -> list[int]:
    """The first and last groups, and the one without a name (未填写) where there is one."""
    picked = {0, len(rows) - 1} if rows else set()
    picked |= {i for i, row in enumerate(rows) if row.key == ""}
    return sorted(picked)[: size + 1]


def _check_drill_down(client, response) -> int:
    """Open the lists behind a sample of every kind of figure; each holds as many opinions as
    its figure counts. Returns how many lists were opened."""
    figures = response.context["figures"]
    links = charts.FigureLinks(figures.start, figures.end)
    opened = 0
    # The overall figures.
    for name, url in response.context["total_links"].items():
        if url:
            assert queue_total(client, url) == getattr(figures.total, NUMERATOR[name]), name
            opened += 1
    # The months of the trend.
    months = [m for m in response.context["month_table"].rows]
    trend = chart_data(response.content.decode())[0]
    assert trend["id"] == "trend" and len(trend["categories"]) == len(months)
    for series in trend["series"]:
        for index in (len(months) - 1, len(months) - 3):
            expected = series["data"][index]
            assert queue_total(client, series["urls"][index]) == expected, series["field"]
            opened += 1
    # Every breakdown, every column, a sample of groups.
    for breakdown in figures.breakdowns:
        for index in _sample(breakdown.rows):
            row = breakdown.rows[index]
            for name, count in NUMERATOR.items():
                url = links.cell(breakdown.key, row, name)
                if name == "overdue" or url is None:
                    continue
                assert queue_total(client, url) == getattr(row, count), (
                    breakdown.key,
                    row.label,
                    name,
                )
                opened += 1
    return opened


@pytest.mark.parametrize("username", USERNAMES)
def test_every_kind_of_figure_lists_as_many_opinions_as_it_counts(client, seeded, username):
    response = stats_page(client, username)
    assert not response.context["figures"].from_summary
    assert _check_drill_down(client, response) > 30


@pytest.mark.parametrize("username", ["staff", "street", "unit"])
def test_figures_from_the_summary_list_as_many_opinions_too(client, seeded, username):
    call_command("dashboards_refresh_figures", stdout=StringIO())
    response = stats_page(client, username)
    assert response.context["figures"].from_summary
    assert _check_drill_down(client, response) > 30


def test_a_link_for_a_group_without_a_name_lists_the_opinions_without_it(client, seeded):
    """未填写: the figures' group of opinions without a street (or category, station) is
    the queue's "missing" filter; a category alone is not taken with its sub-categories."""
    url = charts.FigureLinks(datetime.date(2025, 1, 1), datetime.date(2025, 1, 31))
    row = charts.FigureRow(label="（未填写）", key="")
    assert "missing=street" in url.cell("street", row, "collected")
    assert "missing=category" in url.cell("category", row, "collected")
    assert "category_only=1" in url.cell("category", charts.FigureRow("x", key="3"), "closed")
    assert url.cell("unit", row, "collected") is None


def test_the_queue_refuses_bad_figure_filters_and_says_so(client, seeded):
    client.force_login(User.objects.get(username="staff"))
    response = client.get(
        reverse("opinions:queue"),
        {"outcome": "nonsense", "missing": "deputy", "lead_unit": "999999", "total": "1"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"outcome", "missing", "lead_unit"}
    assert "部分筛选条件无效，已忽略这些条件。" in response.content.decode()
    # Ignored, the list is the whole queue.
    everything = client.get(reverse("opinions:queue"), {"total": "1"}).context["total"]
    assert response.context["total"] == everything


def test_the_lead_unit_filter_takes_only_units_of_the_users_districts(client, seeded):
    from zhitong.regions.models import RegionLevel
    from zhitong.testing import factories as f

    far_district = Region.objects.create(
        code="420102", name="江岸区", level=RegionLevel.DISTRICT, parent=seeded.parent
    )
    far = f.HandlingUnitFactory(region=far_district, name="江岸区教育局")
    client.force_login(User.objects.get(username="staff"))
    response = client.get(reverse("opinions:queue"), {"lead_unit": far.pk})
    assert "lead_unit" in response.context["form"].errors


CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@pytest.mark.parametrize("username", ["staff", "unit"])
def test_the_statistics_page_in_english_has_no_chinese_but_names(client, seeded, username):
    """Every string of the page is in the English catalog: what Chinese is left is data
    (names of streets, categories, stations, units, the account)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = stats_page(client, username)
    html = response.content.decode()
    assert '<html lang="en">' in html
    figures = response.context["figures"]
    names = {row.label for b in figures.breakdowns for row in b.rows}
    names |= {row.label for row in figures.units}
    names.add(response.context["user"].get_full_name())
    names.add("简体中文")  # the language switch names each language in itself
    text = html
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "").replace(json.dumps(name)[1:-1], "")
    leftovers = sorted({text[max(0, m.start() - 30) : m.end() + 30] for m in CJK.finditer(text)})
    assert leftovers == []


def test_the_language_switch_names_each_language_in_itself(client, seeded):
    client.force_login(User.objects.get(username="staff"))
    for language in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(reverse("opinions:stats")).content.decode()
        assert '<option value="zh-hans" lang="zh-hans"' in html
        assert ">简体中文</option>" in html and ">English</option>" in html
