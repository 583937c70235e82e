"""The router's part in the suggestions: a proposed category at registration (立案),
pre-chosen where the deputy gave none, and staff's category a training row."""

import pytest
from django.urls import reverse

from zhitong.insights.models import Example
from zhitong.insights.tests import support
from zhitong.suggestions import forms_staff, services
from zhitong.suggestions.tests.staff_support import reviewed, staff_world
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    w = staff_world()
    w.schools = f.CategoryFactory(name="教育", code="JY01")
    support.install({support.HOUSING: w.category.code, support.SCHOOLS: w.schools.code})
    return w


def school(w, **kw):
    return reviewed(
        w,
        support.SCHOOL_TEXT.title,
        content=support.SCHOOL_TEXT.text,
        **kw,
    )


def test_registration_proposes_the_category_and_chooses_it_when_the_deputy_gave_none(client, w):
    s = school(w, category=None)
    client.force_login(w.staff)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    panel = page[page.index('id="panel-register"') :]
    assert "模型建议类别：<strong>教育</strong>" in panel and "已在下方预选" in panel
    form = forms_staff.RegisterForm(suggestion=s, proposed=w.schools.pk)
    assert form.initial["category"] == w.schools.pk
    # The suggestion itself is not changed by showing the form.
    s.refresh_from_db()
    assert s.category_id is None


def test_the_deputys_category_stays_chosen_and_the_proposal_is_a_hint(client, w):
    s = school(w, category=w.category)
    client.force_login(w.staff)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert "代表已选择类别，请核对" in page
    form = forms_staff.RegisterForm(suggestion=s, proposed=w.schools.pk)
    assert form.initial["category"] == w.category.pk


def test_the_category_staff_register_becomes_a_training_row(client, w):
    s = school(w, category=None)
    client.force_login(w.staff)
    client.get(reverse("suggestions:detail", args=[s.pk]))  # the page proposes 教育
    # Staff register it under another category: a correction, with what was proposed.
    services.suggestion_register(
        suggestion=s, by=w.staff, category=w.category, lead=w.housing, co_units=[]
    )
    row = Example.objects.get(process="suggestions", object_id=str(s.pk))
    assert (row.label, row.source, row.predicted) == (
        w.category.code,
        Example.Source.CORRECTED,
        w.schools.code,
    )
    assert row.by == w.staff and row.title == s.title and row.text == s.content


def test_confirming_the_proposal_is_a_confirmed_row(client, w):
    s = school(w, category=None)
    client.force_login(w.staff)
    client.get(reverse("suggestions:detail", args=[s.pk]))
    services.suggestion_register(
        suggestion=s, by=w.staff, category=w.schools, lead=w.housing, co_units=[]
    )
    row = Example.objects.get(process="suggestions", object_id=str(s.pk))
    assert row.source == Example.Source.CONFIRMED


def test_no_router_no_proposal(client, w):
    from zhitong.insights.models import RouterVersion

    RouterVersion.objects.all().delete()
    s = school(w, category=None)
    client.force_login(w.staff)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="panel-register"' in page and "模型建议类别" not in page
