"""The calendar admin: saving a year publishes it through the service, with its event."""

import datetime

import pytest

from zhitong.core.models import Event
from zhitong.workdays.models import CalendarDay, CalendarYear

D = datetime.date
ADD_URL = "/admin/workdays/calendaryear/add/"


def inline_data(rows, *, initial=0):
    """POST data for the days inline; `rows` are dicts of the fields of each form."""
    data = {
        "days-TOTAL_FORMS": str(len(rows)),
        "days-INITIAL_FORMS": str(initial),
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"days-{index}-{key}"] = value
    return data


def test_superuser_adds_2027_and_it_is_published_with_an_event(client, root):
    client.force_login(root)
    assert client.get(ADD_URL).status_code == 200
    response = client.post(
        ADD_URL,
        {
            "year": "2027",
            "source": "测试用放假安排（虚构）",
            **inline_data(
                [
                    {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
                    {"date": "2027-01-09", "kind": "makeup_workday", "name": "元旦"},
                    {"date": "", "kind": "", "name": ""},
                ]
            ),
        },
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    calendar_year = CalendarYear.objects.get(year=2027)
    assert calendar_year.is_published
    assert calendar_year.updated_by == root
    assert list(calendar_year.days.values_list("date", "kind")) == [
        (D(2027, 1, 1), "holiday"),
        (D(2027, 1, 9), "makeup_workday"),
    ]
    [event] = Event.objects.for_object(calendar_year)
    assert event.verb == "calendar_published"
    assert len(event.data["added"]) == 2


def test_an_invalid_day_is_shown_as_an_error_and_nothing_is_saved(client, root):
    client.force_login(root)
    events = Event.objects.count()
    response = client.post(
        ADD_URL,
        {
            "year": "2027",
            "source": "测试",
            **inline_data([{"date": "2027-01-04", "kind": "makeup_workday", "name": "元旦"}]),
        },
    )
    assert response.status_code == 200
    assert "本来就上班，不能设为调休上班日" in response.text
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert Event.objects.count() == events


def test_source_is_required(client, root):
    client.force_login(root)
    response = client.post(ADD_URL, {"year": "2027", "source": "", **inline_data([])})
    assert response.status_code == 200
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_changing_2026_records_the_removed_day(client, root):
    client.force_login(root)
    calendar_year = CalendarYear.objects.get(year=2026)
    days = list(calendar_year.days.all())
    rows = [
        {
            "id": str(day.pk),
            "year": str(calendar_year.pk),
            "date": day.date.isoformat(),
            "kind": day.kind,
            "name": day.name,
            **({"DELETE": "on"} if day.date == D(2026, 2, 14) else {}),
        }
        for day in days
    ]
    url = f"/admin/workdays/calendaryear/{calendar_year.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"source": "更正", **inline_data(rows, initial=len(rows))})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=D(2026, 2, 14)).exists()
    assert CalendarDay.objects.filter(year=calendar_year).count() == len(days) - 1
    [event] = Event.objects.for_object(calendar_year)
    assert event.data["removed"] == [
        {"date": "2026-02-14", "kind": "makeup_workday", "name": "春节"}
    ]


def test_changelist_shows_each_year_with_its_counts(client, root, django_assert_max_num_queries):
    client.force_login(root)
    with django_assert_max_num_queries(12):
        response = client.get("/admin/workdays/calendaryear/")
    assert response.status_code == 200
    assert "2026" in response.text and "2020" in response.text
    assert "chinesecalendar 1.11.0" in response.text
    # Years cannot be deleted from the admin.
    assert (
        client.get(
            f"/admin/workdays/calendaryear/{CalendarYear.objects.get(year=2026).pk}/delete/"
        ).status_code
        == 403
    )


@pytest.mark.parametrize("url", ["/admin/workdays/calendaryear/", ADD_URL])
def test_staff_without_the_permission_cannot_open_it(client, outsider, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_staff_granted_the_permission_can(client, clerk):
    client.force_login(clerk)
    assert client.get("/admin/workdays/calendaryear/").status_code == 200
