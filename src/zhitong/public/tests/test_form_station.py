"""The station behind an opinion form is kept between requests (no query per submission),
and a change to it is seen: at once when made through the models, within the TTL otherwise."""

import pytest
from django.core.cache import cache
from django.http import Http404

from zhitong.opinions.models import Opinion
from zhitong.stations import directory as selectors
from zhitong.stations.models import Station
from zhitong.testing import factories as f

from .conftest import PRIVATE_NOTES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counts and the kept stations start empty in each test."""
    cache.clear()
    selectors.form_stations_changed()
    yield
    cache.clear()
    selectors.form_stations_changed()


def _url(station):
    return f"/opinions/new/station/{station.public_code}/"


def _post(client, station, **overrides):
    import re

    page = client.get(_url(station)).content.decode()
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    data = {
        "subject": "小区路灯不亮",
        "content": "首义小区东门的路灯坏了一个月，晚上出行不便。",
        "submission_key": match.group(1) if match else "",
        **overrides,
    }
    return client.post(_url(station), data)


def test_a_kept_station_costs_no_query_and_comes_with_street_and_district(
    station, django_assert_num_queries
):
    first = selectors.station_for_form(station.public_code)
    with django_assert_num_queries(0):
        again = selectors.station_for_form(station.public_code)
        assert again.pk == station.pk
        assert again.street == station.street
        assert again.street.parent == station.street.parent
        assert again.street.parent.path == station.street.parent.path
    # Fresh instances each time: what one request sets stays its own.
    assert again is not first and again.street is not first.street
    again.name = "改过的名字"
    assert selectors.station_for_form(station.public_code).name == station.name


def test_private_columns_are_not_kept(station):
    kept = selectors.station_for_form(station.public_code)
    assert "internal_notes" in kept.get_deferred_fields()
    entry = selectors._form_stations[station.public_code]
    values = [*entry.station, *entry.street, *(entry.district or ())]
    assert station.internal_notes == PRIVATE_NOTES
    assert all(PRIVATE_NOTES not in str(value) for value in values)


def test_a_station_deactivated_after_it_was_kept_takes_no_more_opinions(client, station):
    assert _post(client, station).status_code == 303  # kept now
    station.is_active = False
    station.save()
    response = client.post(
        _url(station), {"subject": "又一条", "content": "内容", "submission_key": "x"}
    )
    assert response.status_code == 404
    assert client.get(_url(station)).status_code == 404
    assert Opinion.objects.count() == 1


def test_a_renamed_street_and_station_show_at_once(client, station):
    assert client.get(_url(station)).status_code == 200  # kept now
    station.name = "首义社区代表联络站（新址）"
    station.save()
    street = station.street
    street.name = "首义路街道（更名）"
    street.save()
    kept = selectors.station_for_form(station.public_code)
    assert kept.name == "首义社区代表联络站（新址）"
    assert kept.street.name == "首义路街道（更名）"


def test_a_change_another_process_announced_is_read_again(station, django_assert_num_queries):
    selectors.station_for_form(station.public_code)
    # Another process saved a station: the version in the shared cache moved, this
    # process's kept rows were not cleared.
    Station.objects.filter(pk=station.pk).update(is_active=False)
    cache.incr(selectors.FORM_STATION_VERSION_KEY)
    with pytest.raises(Http404), django_assert_num_queries(1):
        selectors.station_for_form(station.public_code)


def test_a_change_made_without_signals_is_seen_after_the_ttl(station, monkeypatch):
    selectors.station_for_form(station.public_code)
    Station.objects.filter(pk=station.pk).update(is_active=False)  # no signal
    assert selectors.station_for_form(station.public_code).pk == station.pk  # still kept
    later = selectors.time.monotonic() + selectors.FORM_STATION_TTL + 1
    monkeypatch.setattr(selectors.time, "monotonic", lambda: later)
    with pytest.raises(Http404):
        selectors.station_for_form(station.public_code)


def test_a_cleared_cache_does_not_bring_back_rows_kept_before(station):
    selectors.station_for_form(station.public_code)
    Station.objects.filter(pk=station.pk).update(is_active=False)  # no signal
    cache.clear()  # the version is gone (a restart of Redis, an eviction)
    with pytest.raises(Http404):
        selectors.station_for_form(station.public_code)


def test_unknown_codes_are_not_kept(street):
    community = f.CommunityFactory(parent=street)
    with pytest.raises(Http404):
        selectors.station_for_form("SNEW00001")
    # Created without signals (as an import's bulk_create does): found at once all the same.
    Station.objects.bulk_create(
        [
            Station(
                name="新站",
                kind="community",
                region=community,
                street=street,
                address="某路1号",
                public_code="SNEW00001",
            )
        ]
    )
    assert selectors.station_for_form("SNEW00001").name == "新站"
