"""The per-unit figures page (三评价) and its export: who sees what, the filters, the sort,
the commitments and problems counted live, the empty state, no rater named."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhitong.dashboards.services import figures_refresh
from zhitong.suggestions.models import QualityProblem, QualityReview
from zhitong.suggestions.tests.figures_world import at, build_year
from zhitong.suggestions.tests.world import build

pytestmark = pytest.mark.django_db

URL = reverse("suggestions:unit_figures")
EXPORT = reverse("suggestions:unit_figures_export")
TODAY = datetime.date(2026, 7, 2)


@pytest.fixture
def w(db):
    w = build_year()
    review = QualityReview.objects.create(
        suggestion=w.s2,
        round=QualityReview.Round.AFTER_REPLY,
        compliance="good",
        writing="fair",
        effect="good",
        reviewer=w.staff,
        reviewed_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )
    QualityProblem.objects.create(
        review=review, unit=w.housing, axis="writing", text="答复函未盖章"
    )
    QualityProblem.objects.create(
        review=review,
        unit=w.housing,
        axis="writing",
        text="答复函格式不规范",
        answer="已整改",
        answered_at=datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC),
        answered_by=w.unit,
    )
    return w


def _rows(html: str) -> list[str]:
    """The unit names of the table's rows, in order."""
    return re.findall(r'<th scope="row">([^<]*)</th>', html)


def _row_of(html: str, name: str) -> str:
    start = html.index(f'<th scope="row">{name}</th>')
    return html[start : html.index("</tr>", start)]


def test_district_staff_see_every_unit_live_and_from_the_summary(client, w):
    client.force_login(w.staff)
    with at(TODAY):
        live = client.get(URL)
    assert live.status_code == 200
    assert not live.context["table"].from_summary
    names = _rows(live.content.decode())
    assert {w.housing.name, w.office_a.name, w.roads.name} <= set(names)
    assert w.unit_far.name not in names  # another district's unit
    housing = next(row for row in live.context["rows"] if row.unit_id == w.housing.pk)
    assert (housing.assigned, housing.replied, housing.on_time) == (4, 3, 2)
    assert housing.classes == {"A": 1, "B": 1, "C": 1, "D": 0}
    assert str(housing.on_time_rate) == "66.7"
    assert str(housing.satisfaction_rate) == "100.0"
    assert str(housing.attitude_rate) == "50.0"
    # s1's two commitments, reported on 20 June (due 30 June and 30 September), verified.
    assert (housing.commitments, housing.commitments_due, housing.commitments_on_time) == (2, 2, 2)
    assert housing.problems_open == 1
    # s3 never replied (due in May); office_a owes s4's reply too.
    assert housing.overdue == 1
    assert next(row for row in live.context["rows"] if row.unit_id == w.office_a.pk).overdue == 1
    with at(TODAY):
        figures_refresh()
        summary = client.get(URL)
    assert summary.context["table"].from_summary
    assert [vars(row) for row in summary.context["rows"]] == [
        vars(row) for row in live.context["rows"]
    ]
    # Back-to-back: no rater is named.
    assert w.dep_a.name not in summary.content.decode()


def test_the_table_sorts_by_a_column_without_javascript(client, w):
    client.force_login(w.staff)
    with at(TODAY):
        response = client.get(URL, {"sort": "assigned", "order": "desc"})
    html = response.content.decode()
    assert _rows(html)[:2] == [w.housing.name, w.office_a.name]
    assert 'aria-sort="descending"' in html
    # The heading links the other way round, keeping the filter.
    with at(TODAY):
        response = client.get(URL, {"sort": "assigned", "order": "desc", "year": "2026"})
    assert "sort=assigned&amp;order=asc" in response.content.decode()
    assert "year=2026" in response.content.decode()
    with at(TODAY):
        rate = client.get(URL, {"sort": "on_time_rate", "order": "desc"})
    # Units without a reply (no rate) come last, whichever the direction.
    assert _rows(rate.content.decode())[0] == w.housing.name


def test_a_unit_account_sees_its_own_row_only(client, w):
    client.force_login(w.unit)
    with at(TODAY):
        response = client.get(URL)
        export = client.get(EXPORT)
    assert response.status_code == 200
    assert _rows(response.content.decode()) == [w.housing.name]
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in values[2:]] == [w.housing.name]
    client.force_login(w.other_unit)
    with at(TODAY):
        other = client.get(URL)
    assert _rows(other.content.decode()) == [w.office_a.name]
    assert w.housing.name not in other.content.decode()


@pytest.mark.parametrize("who", ["deputy", "street", "citizen", "co_unit_none"])
def test_others_are_refused(client, w, who):
    if who == "co_unit_none":
        user = w.unit
        user.unit = None
        user.save()
    else:
        user = getattr(w, who)
    client.force_login(user)
    with at(TODAY):
        assert client.get(URL).status_code == 403
        assert client.get(EXPORT).status_code == 403


def test_staff_of_another_district_see_only_its_units(client, w):
    client.force_login(w.far_staff)
    with at(TODAY):
        response = client.get(URL)
    assert response.status_code == 200
    assert _rows(response.content.decode()) == [w.unit_far.name]


def test_anonymous_visitors_are_sent_to_log_in(client, w):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_period_and_the_session_filter(client, w):
    client.force_login(w.staff)
    with at(TODAY):
        march = client.get(URL, {"start": "2026-03-01", "end": "2026-03-31"})
        last_year = client.get(URL, {"year": "2025"})
        session = client.get(URL, {"session": str(w.session.pk)})
    housing = next(row for row in march.context["rows"] if row.unit_id == w.housing.pk)
    assert (housing.assigned, housing.replied, housing.on_time) == (1, 1, 0)  # s5, late
    assert housing.classes["C"] == 1
    assert housing.commitments == 0  # s1's were on a February suggestion
    assert all(row.assigned == 0 for row in last_year.context["rows"])
    assert "统计期间内没有交办的代表建议。" in last_year.content.decode()
    assert (last_year.context["table"].start, last_year.context["table"].end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    in_session = next(row for row in session.context["rows"] if row.unit_id == w.housing.pk)
    assert in_session.assigned == 4


def test_a_bad_filter_is_shown_on_the_form_and_this_year_is_counted(client, w):
    client.force_login(w.staff)
    with at(TODAY):
        response = client.get(URL, {"start": "2026-05-01", "end": "2026-04-01", "session": "x"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "end" in form.errors and "session" in form.errors
    assert response.context["table"].start == datetime.date(2026, 1, 1)
    assert "筛选条件有误" in response.content.decode()


def test_the_export_is_the_table(client, w):
    client.force_login(w.staff)
    with at(TODAY):
        response = client.get(EXPORT, {"sort": "assigned", "order": "desc"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "2026-01-01" in rows[0][0]
    assert rows[1][0] == "承办单位" and rows[1][4] == "按期答复率（%）"
    housing = rows[2]
    assert housing[0] == w.housing.name
    assert housing[1:5] == (4, 3, 2, 66.7)
    assert housing[5] == 1  # overdue
    assert housing[6:10] == (1, 1, 1, 0)
    assert housing[-1] == 1
    text = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    assert w.dep_a.name not in text


def test_an_empty_district(client, db):
    w = build()
    client.force_login(w.staff)
    with at(TODAY):
        response = client.get(URL)
    assert response.status_code == 200
    assert "统计期间内没有交办的代表建议。" in response.content.decode()
    assert all(row.assigned == 0 and row.on_time_rate is None for row in response.context["rows"])
