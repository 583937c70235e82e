"""The router in the opinions' triage: a proposal for each new opinion, staff's choice kept
as a training row, auto-routing off by default and, when on, recorded as the router's act."""

import pytest
from django.urls import reverse

from zhitong.core.events import events_for
from zhitong.insights import services
from zhitong.insights.models import Example, Prediction
from zhitong.insights.tests.support import HOUSING, SCHOOL_TEXT, SCHOOLS, install
from zhitong.opinions import routing
from zhitong.opinions.models import Channel, Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    w = build()
    w.schools = f.CategoryFactory(name="教育", code="EDU01")
    w.education = f.HandlingUnitFactory(region=w.district, name="武昌区教育局")
    f.CategoryRouteFactory(category=w.schools, region=w.district, unit=w.education)
    w.version = install({HOUSING: w.category.code, SCHOOLS: w.schools.code})
    return w


def school_opinion(w, **kw):
    return new_opinion(
        w,
        subject=SCHOOL_TEXT.title,
        content=SCHOOL_TEXT.text,
        category=None,
        status=Status.RECEIVED,
        **kw,
    )


def test_a_new_opinion_gets_a_proposal_shown_in_the_queue_and_on_its_page(w, client):
    opinion = school_opinion(w)
    prediction = routing.propose(opinion.pk)
    assert prediction.label == "EDU01" and prediction.version == w.version
    assert 0.5 < prediction.confidence <= 1
    client.force_login(w.staff)
    queue = client.get(reverse("opinions:queue")).content.decode()
    assert "模型建议：教育" in queue
    page = client.get(reverse("opinions:detail", args=[opinion.pk])).content.decode()
    assert 'id="proposal"' in page and "分类模型第1版" in page
    # Pre-chosen in the accept form: one click confirms it.
    assert f'<option value="{w.schools.pk}" selected>' in page


def test_the_queue_proposes_for_an_opinion_that_has_none_yet(w, client):
    opinion = school_opinion(w)
    assert not Prediction.objects.exists()
    client.force_login(w.staff)
    client.get(reverse("opinions:queue"))
    assert Prediction.objects.get(object_id=str(opinion.pk)).label == "EDU01"


def test_accepting_with_the_proposal_is_a_confirmation(w, client):
    opinion = school_opinion(w)
    routing.propose(opinion.pk)
    client.force_login(w.staff)
    r = client.post(
        reverse("opinions:accept", args=[opinion.pk]),
        {"category": w.schools.pk, "note": ""},
    )
    assert r.status_code == 302
    row = Example.objects.get(process="opinions", object_id=str(opinion.pk))
    assert (row.label, row.source, row.predicted, row.by) == (
        "EDU01",
        Example.Source.CONFIRMED,
        "EDU01",
        w.staff,
    )
    assert row.title == SCHOOL_TEXT.title and row.text == SCHOOL_TEXT.text


def test_a_correction_in_the_queue_becomes_a_training_row(w, client):
    opinion = school_opinion(w)
    routing.propose(opinion.pk)
    client.force_login(w.staff)
    r = client.post(
        reverse("opinions:accept", args=[opinion.pk]),
        {"category": w.category.pk, "note": ""},
    )
    assert r.status_code == 302
    row = Example.objects.get(process="opinions", object_id=str(opinion.pk))
    assert (row.label, row.source, row.predicted) == ("WY01", Example.Source.CORRECTED, "EDU01")
    # Changed again later: the latest decision is the row.
    r = client.post(reverse("opinions:category", args=[opinion.pk]), {"category": w.schools.pk})
    assert r.status_code == 302
    row.refresh_from_db()
    assert (row.label, row.source) == ("EDU01", Example.Source.CONFIRMED)
    assert Example.objects.count() == 1


def test_auto_routing_is_off_by_default(w):
    assert services.routing_settings(w.district.pk).auto_route is False
    opinion = school_opinion(w)
    prediction = routing.propose(opinion.pk)
    assert prediction.confidence > 0.5
    opinion.refresh_from_db()
    assert opinion.status == Status.RECEIVED and opinion.category is None


def test_when_on_a_confident_proposal_is_routed_as_the_routers_act(
    w, django_capture_on_commit_callbacks
):
    services.routing_settings_update(
        district=w.district, by=w.staff, auto_route=True, threshold=0.5
    )
    # Through the intake: proposed once the opinion is written.
    from zhitong.opinions import intake

    with django_capture_on_commit_callbacks(execute=True):
        opinion = intake.opinion_submit(
            data={
                "subject": SCHOOL_TEXT.title,
                "content": SCHOOL_TEXT.text,
                "address": "",
                "submitter_name": "赵六",
                "submitter_phone": "13900001234",
                "submitter_email": "",
            },
            photos=[],
            station=w.station_a,
            channel=Channel.QR_STATION,
            submission_key=None,
        )
    opinion.refresh_from_db()
    assert opinion.status == Status.REFERRED and opinion.category == w.schools
    assert opinion.case.assignments.get().unit == w.education
    events = {e.verb: e for e in events_for(opinion)}
    for verb in ("accept", "refer"):
        event = events[verb]
        assert event.actor is None and event.actor_name == "分类模型第1版（自动）"
        assert event.data["model"]["version"] == 1
        assert event.data["model"]["confidence"] >= 0.5
        assert event.data["model"]["enabled_by"] == "王工作"
    # The router's own act is not a training row.
    assert not Example.objects.exists()


def test_below_the_threshold_nothing_is_routed(w):
    services.routing_settings_update(
        district=w.district, by=w.staff, auto_route=True, threshold=0.999
    )
    opinion = school_opinion(w)
    prediction = routing.propose(opinion.pk)
    assert prediction.confidence < 0.999
    opinion.refresh_from_db()
    assert opinion.status == Status.RECEIVED


def test_without_a_router_nothing_is_proposed(w, client):
    from zhitong.insights.models import RouterVersion

    RouterVersion.objects.update(state=RouterVersion.State.RETIRED)
    opinion = school_opinion(w)
    assert routing.propose(opinion.pk) is None
    client.force_login(w.staff)
    assert client.get(reverse("opinions:queue")).status_code == 200
    assert not Prediction.objects.exists()
