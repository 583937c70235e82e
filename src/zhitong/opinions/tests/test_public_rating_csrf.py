"""The submitter can rate from a real browser: the pages by tracking code keep the Origin
header of their own form posts, so Django's CSRF check lets the rating through."""

import re

import pytest
from django.test import Client

from zhitong.accounts.models import Role
from zhitong.handling.models import Rating
from zhitong.opinions import intake, services
from zhitong.opinions.models import Channel, Status
from zhitong.opinions.tracking import new_code, rating_key
from zhitong.testing import factories as f

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import form_data

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


def browser_origin(referrer_policy: str) -> str:
    """The Origin header a browser sends with a same-origin form POST from a page served
    with this Referrer-Policy (Fetch standard, "append a request `Origin` header")."""
    return "null" if referrer_policy == "no-referrer" else SITE


@pytest.fixture
def sent_opinion(station, staff, district):
    data = form_data()
    data.pop("category")
    data.pop("place")
    opinion = intake.opinion_submit(
        data=data,
        photos=[],
        station=station,
        channel=Channel.QR_STATION,
        submission_key=new_code(),
        client_ip="10.0.0.1",
    )
    unit = f.HandlingUnitFactory(region=district, name="武昌区城市管理执法局")
    unit_user = f.UserFactory(username="unit-li", display_name="李经办", role=Role.UNIT, unit=unit)
    category = f.CategoryFactory(name="市政设施", code="SZ01")
    services.opinion_accept(opinion=opinion, by=staff, category=category)
    referral = services.opinion_refer(opinion=opinion, by=staff, unit=unit, working_days=10)
    services.referral_accept(referral=referral, by=unit_user)
    reply = services.reply_submit(referral=referral, by=unit_user, text="路灯已修复。")
    services.reply_send(reply=reply, by=staff)
    opinion.refresh_from_db()
    return opinion


@pytest.mark.parametrize("page", ["detail", "rate"])
def test_rating_form_posts_pass_the_csrf_origin_check(sent_opinion, page):
    browser = Client(enforce_csrf_checks=True)
    base = f"/opinions/track/{sent_opinion.tracking_code}/"
    shown = browser.get(base if page == "detail" else base + "rate/")
    assert shown.status_code == 200
    policy = shown["Referrer-Policy"]
    # The code's URL still never leaves the site.
    assert policy in {"same-origin", "strict-origin", "strict-origin-when-cross-origin"}
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown.content.decode())
    assert token is not None

    response = browser.post(
        base + "rate/",
        {
            "csrfmiddlewaretoken": token.group(1),
            "rating_key": rating_key(sent_opinion.tracking_code),
            "score": "satisfied",
            "comment": "修好了",
        },
        HTTP_ORIGIN=browser_origin(policy),
    )

    assert response.status_code == 303
    sent_opinion.refresh_from_db()
    assert sent_opinion.status == Status.CLOSED
    assert Rating.objects.get(opinion=sent_opinion).score == Rating.Score.SATISFIED
