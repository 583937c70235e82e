"""The suggestions' figures in the statistics summary equal those counted live."""

import datetime

import pytest

from zhitong.dashboards.models import Dimension, Figure
from zhitong.dashboards.periods import split_period
from zhitong.dashboards.selectors import _period_rows
from zhitong.dashboards.services import COUNTS, figures_refresh, figures_refresh_changed
from zhitong.dashboards.suggestion_figures import unit_counts_from_summary
from zhitong.handling.figures import figure_sources
from zhitong.suggestions import figures, stats
from zhitong.suggestions.models import Suggestion
from zhitong.suggestions.tests.figures_world import at, build_year, reply

pytestmark = pytest.mark.django_db

YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
PERIODS = [
    YEAR,
    # Edge days only, and a whole month with days either side.
    (datetime.date(2026, 2, 2), datetime.date(2026, 2, 3)),
    (datetime.date(2026, 1, 30), datetime.date(2026, 3, 10)),
    (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
]


@pytest.fixture
def w(db):
    return build_year()


def _live(w, start, end, **filters):
    suggestions = Suggestion.objects.filter(district=w.district, **filters)
    return figures.in_period(figures.assigned(suggestions), start, end)


def _summary(w, dimension, start, end) -> dict[str, dict]:
    rows = (
        Figure.objects.filter(
            process=figures.PROCESS, district=w.district, unit__isnull=True, dimension=dimension
        )
        .filter(_period_rows(*split_period(start, end)))
        .values("key", *COUNTS)
    )
    sums: dict[str, dict] = {}
    for row in rows:
        group = sums.setdefault(row["key"], dict.fromkeys(COUNTS, 0))
        for count in COUNTS:
            group[count] += row[count]
    return sums


def test_suggestions_register_their_source():
    assert figures.SOURCE in figure_sources()


def test_the_live_counts_follow_the_definitions(w):
    assert stats.figure_counts_live(_live(w, *YEAR)) == {
        "collected": 5,
        "closed": 2,  # s1 (commitments verified), s2
        "closed_referred": 3,  # replied: s1, s2, s5
        "on_time": 2,  # s5 replied after its due date
        "rated": 2,
        "satisfied": 2,  # s1's second rating, s2
        "closed_default": 0,
    }
    by_unit = stats.unit_counts_live(_live(w, *YEAR))
    housing = by_unit[w.housing.pk]
    assert housing == {
        "name": w.housing.name,
        "assigned": 4,
        "replied": 3,
        "on_time": 2,
        "rated": 2,
        "satisfied": 2,
        "attitude_rated": 2,
        "attitude_satisfied": 1,  # s1 satisfied at last; s2's attitude unsatisfied
        "class_A": 1,
        "class_B": 1,
        "class_C": 1,
        "class_D": 0,
    }
    # s4 was refused by housing and reassigned: it counts for office_a, on its first day.
    assert by_unit[w.office_a.pk]["assigned"] == 1
    assert stats.figure_counts_live(_live(w, datetime.date(2026, 2, 3), YEAR[1]))["collected"] == 1


def _assert_summary_is_live(w):
    for start, end in PERIODS:
        live = _live(w, start, end)
        total = stats.figure_counts_live(live)
        summary_total = _summary(w, Dimension.TOTAL, start, end).get("", dict.fromkeys(COUNTS, 0))
        assert summary_total == total, (start, end)
        for dimension in (
            figures.CATEGORY,
            figures.STREET,
            figures.SESSION,
            figures.RESULT,
            figures.IS_KEY,
            figures.UNIT,
        ):
            assert _summary(w, dimension, start, end) == stats.dimension_counts_live(
                live, dimension
            ), (dimension, start, end)
        for session_id in (None, w.session.pk):
            read = unit_counts_from_summary(
                scope=stats.UnitScope(None), start=start, end=end, session_id=session_id
            )
            assert read is not None
            assert read[0] == stats.unit_counts_live(live), (start, end, session_id)
        own = unit_counts_from_summary(
            scope=stats.UnitScope(None, unit_id=w.housing.pk),
            start=start,
            end=end,
            session_id=None,
        )
        assert own is not None
        housing = stats.unit_counts_live(live).get(w.housing.pk)
        assert own[0] == ({w.housing.pk: housing} if housing else {}), (start, end)


def test_after_a_refresh_the_summary_equals_the_live_counts(w):
    with at(datetime.date(2026, 7, 2)):
        figures_refresh()
    _assert_summary_is_live(w)
    # The result and key dimensions hold what the page needs.
    year = _summary(w, figures.RESULT, *YEAR)
    assert {key: row["collected"] for key, row in year.items()} == {
        "A": 1,
        "B": 1,
        "C": 1,
        "": 2,
    }
    assert _summary(w, figures.IS_KEY, *YEAR)["1"]["collected"] == 1


def test_a_session_reads_only_its_suggestions(w):
    with at(datetime.date(2026, 7, 2)):
        figures_refresh()
    read = unit_counts_from_summary(
        scope=stats.UnitScope(None), start=YEAR[0], end=YEAR[1], session_id=w.session.pk + 999
    )
    assert read is not None and read[0] == {}


def test_a_partial_refresh_picks_up_a_suggestion_changed_since(w):
    with at(datetime.date(2026, 7, 2)):
        assert figures_refresh_changed()
    with at(datetime.date(2026, 7, 3)):
        reply(w, w.s4, w.other_unit, "D")
    before = unit_counts_from_summary(
        scope=stats.UnitScope(None), start=YEAR[0], end=YEAR[1], session_id=None
    )
    assert before is not None and before[0][w.office_a.pk]["replied"] == 0
    with at(datetime.date(2026, 7, 3), 11):
        assert figures_refresh_changed()
    after = unit_counts_from_summary(
        scope=stats.UnitScope(None), start=YEAR[0], end=YEAR[1], session_id=None
    )
    assert after is not None
    assert after[0][w.office_a.pk]["replied"] == 1
    assert after[0][w.office_a.pk]["class_D"] == 1
    _assert_summary_is_live(w)


def test_the_summary_is_not_read_before_the_district_is_computed(w):
    assert (
        unit_counts_from_summary(
            scope=stats.UnitScope(None), start=YEAR[0], end=YEAR[1], session_id=None
        )
        is None
    )
