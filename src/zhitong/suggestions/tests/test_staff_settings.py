"""The district's suggestion settings (建议办理设置) and congress sessions (人代会会议): the
services (one event each, staff of the district only) and their pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zhitong.core.models import Event
from zhitong.suggestions import services_settings as ss
from zhitong.suggestions.models import CongressSession, DistrictSettings
from zhitong.suggestions.services import SuggestionError, settings_for
from zhitong.suggestions.tests.staff_support import staff_world
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

NON_STAFF = ["gov", "other_unit", "leader", "street", "deputy", "citizen", "admin"]


@pytest.fixture
def w(db):
    return staff_world()


def values(w, **kw):
    v = {
        "reply_months": 3,
        "co_unit_months": 1,
        "max_extension_months": 3,
        "refuse_working_days": 7,
        "rehandle_months": 1,
        "government_office": w.gov_office,
    }
    v.update(kw)
    return v


# --- services -----------------------------------------------------------------------------


def test_a_settings_change_is_one_event_with_the_change(w):
    ss.suggestion_settings_update(
        district=w.district, by=w.staff, **values(w, reply_months=2, government_office=w.roads)
    )
    row = settings_for(w.district.pk)
    assert row.reply_months == 2 and row.government_office == w.roads
    event = Event.objects.get(verb="suggestion_settings_change")
    assert event.data["reply_months"] == {"from": 3, "to": 2}
    assert event.data["government_office"] == {"from": w.gov_office.name, "to": w.roads.name}
    assert event.actor == w.staff and event.district_code == w.district.code
    # Saving the same values again changes nothing and records nothing.
    ss.suggestion_settings_update(
        district=w.district, by=w.staff, **values(w, reply_months=2, government_office=w.roads)
    )
    assert Event.objects.filter(verb="suggestion_settings_change").count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"reply_months": 0},
        {"reply_months": 13},
        {"co_unit_months": 7},
        {"max_extension_months": 7},
        {"refuse_working_days": 0},
        {"rehandle_months": "2"},
    ],
)
def test_settings_out_of_bounds_are_refused(w, bad):
    with pytest.raises(SuggestionError):
        ss.suggestion_settings_update(district=w.district, by=w.staff, **values(w, **bad))
    assert DistrictSettings.objects.get(district=w.district).reply_months == 3
    assert not Event.objects.filter(verb="suggestion_settings_change").exists()


def test_a_government_office_of_another_district_is_refused(w):
    with pytest.raises(SuggestionError) as refused:
        ss.suggestion_settings_update(
            district=w.district, by=w.staff, **values(w, government_office=w.unit_far)
        )
    assert refused.value.code == "unit_out_of_region"
    assert DistrictSettings.objects.get(district=w.district).government_office == w.gov_office


@pytest.mark.parametrize("who", ["far_staff", *NON_STAFF])
def test_only_the_districts_staff_change_settings(w, who):
    with pytest.raises(PermissionDenied):
        ss.suggestion_settings_update(
            district=w.district, by=w.users[who], **values(w, reply_months=2)
        )
    assert settings_for(w.district.pk).reply_months == 3


def test_sessions_are_created_and_corrected_with_one_event_each(w):
    session = ss.session_create(
        by=w.staff,
        term=w.session.term,
        number=5,
        opens_on=datetime.date(2027, 1, 5),
        closes_on=datetime.date(2027, 1, 8),
    )
    assert session.district == w.district
    assert Event.objects.get(verb="congress_session_create").data["number"] == 5
    ss.session_update(
        session=session,
        by=w.staff,
        number=5,
        opens_on=datetime.date(2027, 1, 6),
        closes_on=datetime.date(2027, 1, 9),
    )
    event = Event.objects.get(verb="congress_session_edit")
    assert event.data["opens_on"] == {"from": "2027-01-05", "to": "2027-01-06"}


def test_bad_sessions_are_refused(w):
    term = w.session.term
    day = datetime.date(2027, 1, 5)
    with pytest.raises(SuggestionError) as taken:
        ss.session_create(by=w.staff, term=term, number=4, opens_on=day, closes_on=day)
    assert taken.value.code == "session_exists"
    with pytest.raises(SuggestionError) as backwards:
        ss.session_create(
            by=w.staff, term=term, number=5, opens_on=day, closes_on=day - datetime.timedelta(1)
        )
    assert backwards.value.code == "closes_before_opening"
    with pytest.raises(PermissionDenied):
        ss.session_create(by=w.far_staff, term=term, number=5, opens_on=day, closes_on=day)
    other = ss.session_create(by=w.staff, term=term, number=5, opens_on=day, closes_on=day)
    with pytest.raises(SuggestionError):
        ss.session_update(session=other, by=w.staff, number=4, opens_on=day, closes_on=day)
    assert CongressSession.objects.count() == 2
    assert Event.objects.filter(verb__startswith="congress_session").count() == 1


# --- pages --------------------------------------------------------------------------------


def settings_post(w, **kw):
    data = values(w, **kw)
    data["government_office"] = data["government_office"].pk if data["government_office"] else ""
    data["district"] = w.district.code
    return data


def test_staff_edit_the_settings_on_their_page(client, w):
    client.force_login(w.staff)
    text = client.get(reverse("suggestions:settings")).content.decode()
    assert "武昌区建议办理设置" in text and w.gov_office.name in text
    assert w.unit_far.name not in text
    response = client.post(reverse("suggestions:settings"), settings_post(w, reply_months=2))
    assert response.status_code == 302
    assert settings_for(w.district.pk).reply_months == 2
    assert Event.objects.filter(verb="suggestion_settings_change").count() == 1


def test_bad_settings_come_back_with_an_error_and_no_change(client, w):
    client.force_login(w.staff)
    response = client.post(reverse("suggestions:settings"), settings_post(w, reply_months=13))
    assert response.status_code == 400
    response = client.post(
        reverse("suggestions:settings"), settings_post(w, government_office=w.unit_far)
    )
    assert response.status_code == 400
    assert "请从本区在用的承办单位中选择" in response.content.decode()
    row = settings_for(w.district.pk)
    assert row.reply_months == 3 and row.government_office == w.gov_office
    assert not Event.objects.filter(verb="suggestion_settings_change").exists()


@pytest.mark.parametrize("who", NON_STAFF)
def test_only_staff_open_the_settings_and_sessions(client, w, who):
    client.force_login(w.users[who])
    for name in ("suggestions:settings", "suggestions:sessions"):
        assert client.get(reverse(name)).status_code == 403
    assert (
        client.post(reverse("suggestions:settings"), settings_post(w, reply_months=2)).status_code
        == 403
    )
    assert settings_for(w.district.pk).reply_months == 3
    assert client.get(reverse("suggestions:session_edit", args=[w.session.pk])).status_code == 403


def test_staff_of_another_district_see_their_own_only(client, w):
    client.force_login(w.far_staff)
    text = client.get(reverse("suggestions:settings")).content.decode()
    assert "江岸区建议办理设置" in text
    response = client.get(reverse("suggestions:settings"), {"district": w.district.code})
    assert response.status_code == 404
    response = client.post(reverse("suggestions:settings"), settings_post(w, reply_months=2))
    assert response.status_code == 404
    assert settings_for(w.district.pk).reply_months == 3
    assert client.get(reverse("suggestions:session_edit", args=[w.session.pk])).status_code == 404
    assert "第十六届" not in client.get(reverse("suggestions:sessions")).content.decode()


def test_staff_add_and_correct_a_session_on_their_page(client, w):
    client.force_login(w.staff)
    text = client.get(reverse("suggestions:sessions")).content.decode()
    assert "第十六届人民代表大会第四次会议" in text
    data = {
        "district": w.district.code,
        "term": w.session.term.pk,
        "number": 5,
        "opens_on": "2027-01-05",
        "closes_on": "2027-01-08",
    }
    assert client.post(reverse("suggestions:sessions"), data).status_code == 302
    session = CongressSession.objects.get(number=5)
    response = client.post(
        reverse("suggestions:session_edit", args=[session.pk]),
        {"number": 5, "opens_on": "2027-01-06", "closes_on": "2027-01-08"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.opens_on == datetime.date(2027, 1, 6)


def test_bad_sessions_come_back_with_an_error(client, w):
    client.force_login(w.staff)
    far_term = f.TermFactory(region=w.far_district, number=16, start_date=datetime.date(2022, 1, 1))
    base = {
        "district": w.district.code,
        "term": w.session.term.pk,
        "number": 5,
        "opens_on": "2027-01-05",
        "closes_on": "2027-01-08",
    }
    for bad, message in (
        ({"number": 4}, "本届已有第4次会议"),
        ({"closes_on": "2027-01-01"}, "闭幕日期不能早于开幕日期"),
        ({"term": far_term.pk}, ""),
        ({"term": ""}, "请选择届次"),
    ):
        response = client.post(reverse("suggestions:sessions"), {**base, **bad})
        assert response.status_code == 400, bad
        assert message in response.content.decode()
    assert CongressSession.objects.count() == 1
