"""The submitter's pages by tracking code: track, progress, the reply, rating, merge; wrong
codes get one uniform "not found", and guessing is throttled."""

import re

import pytest
from django.core.cache import cache

from zhitong.accounts.models import Role
from zhitong.handling.models import Rating
from zhitong.opinions import intake, services
from zhitong.opinions.models import Channel, Opinion, Status
from zhitong.opinions.tracking import new_code, rating_key
from zhitong.testing import factories as f

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import form_data

pytestmark = pytest.mark.django_db

INTERNAL = "内部备注：此人多次反映，注意核实身份"


def submit(station, **overrides) -> Opinion:
    data = form_data(**overrides)
    data.pop("category")
    data.pop("place")
    return intake.opinion_submit(
        data=data,
        photos=[],
        station=station,
        channel=Channel.QR_STATION,
        submission_key=new_code(),
        client_ip="10.0.0.1",
    )


@pytest.fixture
def unit(district):
    return f.HandlingUnitFactory(region=district, name="武昌区城市管理执法局")


@pytest.fixture
def unit_user(unit):
    return f.UserFactory(username="unit-chen", display_name="陈经办", role=Role.UNIT, unit=unit)


def drive_to_sent(opinion, *, staff, unit, unit_user, reply_text="已更换路灯，恢复照明。"):
    """Accepted (with an internal note), referred, signed for, replied, reply sent."""
    # Staff confirm the category as they accept it (a referral needs one).
    category = f.CategoryFactory(name="市政设施", code="SZ01")
    services.opinion_accept(opinion=opinion, by=staff, note=INTERNAL, category=category)
    referral = services.opinion_refer(opinion=opinion, by=staff, unit=unit, working_days=10)
    services.referral_accept(referral=referral, by=unit_user)
    reply = services.reply_submit(referral=referral, by=unit_user, text=reply_text)
    services.reply_send(reply=reply, by=staff)
    opinion.refresh_from_db()
    return opinion


def test_track_form_is_a_get_form_and_takes_the_code_as_typed(client, station):
    opinion = submit(station)
    page = client.get("/opinions/track/").content.decode()
    assert 'method="get"' in page
    typed = opinion.tracking_code.lower().replace("-", " ")
    response = client.get("/opinions/track/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/opinions/track/{opinion.tracking_code}/"


def test_malformed_code_in_the_track_form_is_explained(client, station):
    response = client.get("/opinions/track/", {"code": "12345"})
    assert response.status_code == 400
    assert "查询码格式不对" in response.content.decode()


def test_detail_by_code_shows_status_and_content_and_masks_the_submitter(client, station):
    opinion = submit(station)
    response = client.get(f"/opinions/track/{opinion.tracking_code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    assert response["Referrer-Policy"] == "same-origin"
    assert "待受理" in page
    assert "小区路灯不亮" in page
    assert "意见已收到" in page  # the first step of the timeline
    assert "张**" in page and "139****1234" in page
    assert "张三丰" not in page and "13900001234" not in page


def test_loosely_typed_code_in_the_address_goes_to_the_canonical_page(client, station):
    opinion = submit(station)
    raw = opinion.tracking_code.replace("-", "").lower()
    response = client.get(f"/opinions/track/{raw}/")
    assert response.status_code == 302
    assert response["Location"] == f"/opinions/track/{opinion.tracking_code}/"


def test_a_guessed_code_gets_the_same_404_as_a_nonexistent_one(client, station):
    opinion = submit(station)
    guessed = new_code()
    while guessed == opinion.tracking_code:
        guessed = new_code()
    wrong = client.get(f"/opinions/track/{guessed}/")
    other = client.get("/opinions/track/ZZZZ-ZZZZ-ZZ/")
    malformed = client.get("/opinions/track/not-a-code/")
    for response in (wrong, other, malformed):
        assert response.status_code == 404
        assert "未找到该查询码" in response.content.decode()

    def strip(response, path):
        # Only the footer's language form differs: its CSRF token and the page to return to.
        page = re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())
        return page.replace(path, "")

    assert (
        strip(wrong, f"/opinions/track/{guessed}/")
        == strip(other, "/opinions/track/ZZZZ-ZZZZ-ZZ/")
        == strip(malformed, "/opinions/track/not-a-code/")
    )
    # The rating page answers the same way.
    assert client.get(f"/opinions/track/{guessed}/rate/").status_code == 404
    assert (
        client.post(f"/opinions/track/{guessed}/rate/", {"score": "satisfied"}).status_code == 404
    )


def test_guessing_codes_is_throttled_per_address(client, station, settings):
    settings.OPINIONS_RATE_LIMITS = {"lookup_ip": "3/600"}
    opinion = submit(station)
    for _ in range(3):
        assert client.get(f"/opinions/track/{new_code()}/").status_code == 404
    blocked = client.get(f"/opinions/track/{opinion.tracking_code}/")
    assert blocked.status_code == 429
    assert "查询太频繁" in blocked.content.decode()
    assert "Retry-After" in blocked
    # Another address is not affected.
    other = client.get(f"/opinions/track/{opinion.tracking_code}/", REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200
    cache.clear()
    assert client.get(f"/opinions/track/{opinion.tracking_code}/").status_code == 200


def test_found_codes_do_not_count_towards_the_lookup_limit(client, station, settings):
    settings.OPINIONS_RATE_LIMITS = {"lookup_ip": "2/600"}
    opinion = submit(station)
    for _ in range(5):
        assert client.get(f"/opinions/track/{opinion.tracking_code}/").status_code == 200


def test_the_reply_sent_shows_but_no_internal_note_nor_staff_names(
    client, station, staff, unit, unit_user
):
    opinion = submit(station)
    opinion.internal_note = "仅工作人员可见的内部备注"
    opinion.save(update_fields=["internal_note"])
    drive_to_sent(opinion, staff=staff, unit=unit, unit_user=unit_user)
    page = client.get(f"/opinions/track/{opinion.tracking_code}/").content.decode()
    assert "已反馈" in page
    assert "已更换路灯，恢复照明。" in page
    assert "武昌区城市管理执法局" in page  # the unit that answered is a public body
    assert INTERNAL not in page
    assert "仅工作人员可见的内部备注" not in page
    for person in ("王干事", "陈经办"):
        assert person not in page
    assert "已转交承办单位办理" in page and "答复已反馈给您" in page
    assert 'name="score"' in page  # the rating form is offered


def test_rating_satisfied_closes_the_opinion(client, station, staff, unit, unit_user):
    opinion = drive_to_sent(submit(station), staff=staff, unit=unit, unit_user=unit_user)
    url = f"/opinions/track/{opinion.tracking_code}/rate/"
    assert client.get(url).status_code == 200
    key = rating_key(opinion.tracking_code)
    response = client.post(url, {"rating_key": key, "score": "satisfied", "comment": "修得很快"})
    assert response.status_code == 303
    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED
    rating = Rating.objects.get()
    assert (rating.score, rating.comment) == ("satisfied", "修得很快")
    page = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in page
    assert "您的评价：满意" in page
    assert 'name="score"' not in page  # rated once


def test_unsatisfied_needs_a_reason(client, station, staff, unit, unit_user):
    opinion = drive_to_sent(submit(station), staff=staff, unit=unit, unit_user=unit_user)
    response = client.post(
        f"/opinions/track/{opinion.tracking_code}/rate/",
        {"rating_key": rating_key(opinion.tracking_code), "score": "unsatisfied"},
    )
    assert response.status_code == 400
    assert "请说明不满意的原因" in response.content.decode()
    assert not Rating.objects.exists()


def test_rating_before_the_reply_is_sent_is_refused(client, station):
    opinion = submit(station)
    url = f"/opinions/track/{opinion.tracking_code}/rate/"
    page = client.get(url).content.decode()
    assert "答复反馈给您之后才能评价" in page
    response = client.post(
        url, {"rating_key": rating_key(opinion.tracking_code), "score": "satisfied"}
    )
    assert response.status_code == 409
    assert not Rating.objects.exists()
    opinion.refresh_from_db()
    assert opinion.status == Status.RECEIVED


def test_a_merged_opinion_tells_the_submitter_and_follows_the_main_one(
    client, station, staff, unit, unit_user
):
    main = submit(
        station, subject="东门路灯坏了", submitter_name="李小明", submitter_phone="13700007777"
    )
    duplicate = submit(station, subject="路灯不亮", submitter_phone="13600006666")
    services.opinion_merge(opinion=duplicate, into=main, by=staff)
    page = client.get(f"/opinions/track/{duplicate.tracking_code}/").content.decode()
    assert "合并办理" in page
    follow_url = f"/opinions/track/{duplicate.tracking_code}/main/"
    assert follow_url in page
    follow = client.get(follow_url).content.decode()
    assert "东门路灯坏了" in follow
    # The main opinion's code and its submitter stay hidden from the other submitter.
    assert main.tracking_code not in follow
    assert "李小明" not in follow and "13700007777" not in follow
    drive_to_sent(main, staff=staff, unit=unit, unit_user=unit_user, reply_text="东门路灯已修复。")
    follow = client.get(follow_url).content.decode()
    assert "答复已反馈给主件反映人" in follow
    # The reply was written to the main opinion's submitter: not shown to another one.
    assert "东门路灯已修复。" not in follow


def test_a_follower_never_sees_the_main_submitters_words(client, station, staff, unit, unit_user):
    main = submit(station, subject="东门路灯坏了", submitter_phone="13700007777")
    duplicate = submit(station, subject="路灯不亮", submitter_phone="13600006666")
    services.opinion_merge(opinion=duplicate, into=main, by=staff)
    drive_to_sent(
        main,
        staff=staff,
        unit=unit,
        unit_user=unit_user,
        reply_text="李小明先生：您家门口（和平路8号）的路灯已修复。",
    )
    comment = "还是不亮，我是李小明，电话13712345678，住和平路8号"
    services.rating_submit(opinion=main, score="unsatisfied", comment=comment)
    follow = client.get(f"/opinions/track/{duplicate.tracking_code}/main/").content.decode()
    for private in ("13712345678", "李小明", "和平路8号", "还是不亮"):
        assert private not in follow
    assert "主件反映人已评价" in follow
    # The main submitter still sees their own words on their own page.
    own = client.get(f"/opinions/track/{main.tracking_code}/").content.decode()
    assert "13712345678" in own


def test_following_an_opinion_that_is_not_merged_goes_to_its_page(client, station):
    opinion = submit(station)
    response = client.get(f"/opinions/track/{opinion.tracking_code}/main/")
    assert response.status_code == 302
    assert response["Location"] == f"/opinions/track/{opinion.tracking_code}/"


@pytest.mark.parametrize("extra", [2, 20])
def test_form_and_detail_query_counts_stay_fixed(
    client, station, deputy, categories, django_assert_max_num_queries, extra
):
    for i in range(extra):
        f.CommunityFactory(parent=station.street)
        f.CategoryFactory(parent=categories["livelihood"], name=f"子类{i}", code=f"C01X{i:03d}")
    opinion = submit(station)
    with django_assert_max_num_queries(4):
        assert client.get(f"/opinions/new/station/{station.public_code}/").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(f"/opinions/new/deputy/{deputy.public_code}/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/opinions/new/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/opinions/track/{opinion.tracking_code}/").status_code == 200


def test_timeline_labels_follow_the_language_cookie(client, station, staff, settings):
    opinion = submit(station)
    services.opinion_accept(opinion=opinion, by=staff, note="")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/opinions/track/{opinion.tracking_code}/").content.decode()
    assert "Opinion received" in page and "Accepted" in page
    assert "意见已收到" not in page and "已受理" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(f"/opinions/track/{opinion.tracking_code}/").content.decode()
    assert "意见已收到" in page and "已受理" in page


def test_the_rating_form_comes_after_the_reply_it_rates(client, station, staff, unit, unit_user):
    opinion = drive_to_sent(submit(station), staff=staff, unit=unit, unit_user=unit_user)
    page = client.get(f"/opinions/track/{opinion.tracking_code}/").content.decode()
    reply = page.index("已更换路灯，恢复照明。")
    form = page.index('id="rate-heading"')
    steps = page.index('id="timeline-heading"')
    assert page.index('id="replies-heading"') < reply < form < page.index('name="score"') < steps


def _rate_unsatisfied(client, opinion, comment):
    return client.post(
        f"/opinions/track/{opinion.tracking_code}/rate/",
        {
            "rating_key": rating_key(opinion.tracking_code),
            "score": "unsatisfied",
            "comment": comment,
        },
    )


def test_the_second_unsatisfied_rating_tells_the_citizen_the_case_closes(
    client, station, staff, unit, unit_user
):
    opinion = drive_to_sent(submit(station), staff=staff, unit=unit, unit_user=unit_user)
    detail = f"/opinions/track/{opinion.tracking_code}/"
    assert "意见将退回承办单位重新办理（仅一次）" in client.get(detail).content.decode()
    # The first unsatisfied rating sends it back, and says so.
    response = _rate_unsatisfied(client, opinion, "路灯还是不亮")
    assert response.status_code == 303
    opinion.refresh_from_db()
    assert opinion.status == Status.HANDLING
    assert "意见已退回重新办理" in client.get(response["Location"]).content.decode()
    # The unit replies again and the reply is sent.
    referral = opinion.referrals.get(role="lead")
    reply = services.reply_submit(referral=referral, by=unit_user, text="已更换灯杆。")
    services.reply_send(reply=reply, by=staff)
    page = client.get(detail).content.decode()
    assert "这次选择“不满意”，意见将按“不满意”办结，不再退回" in page
    assert "意见将退回承办单位重新办理" not in page
    # The second closes it, and the citizen is told that, not that it goes back.
    response = _rate_unsatisfied(client, opinion, "还是没修好")
    assert response.status_code == 303
    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED_UNSATISFIED
    page = client.get(response["Location"]).content.decode()
    assert "现按“不满意”办结，不再退回" in page
    assert "退回重新办理，新的办理结果" not in page


def test_the_second_unsatisfied_rating_still_needs_a_reason(
    client, station, staff, unit, unit_user
):
    opinion = drive_to_sent(submit(station), staff=staff, unit=unit, unit_user=unit_user)
    _rate_unsatisfied(client, opinion, "路灯还是不亮")
    opinion.refresh_from_db()
    referral = opinion.referrals.get(role="lead")
    services.reply_send(
        reply=services.reply_submit(referral=referral, by=unit_user, text="已更换灯杆。"), by=staff
    )
    response = _rate_unsatisfied(client, opinion, "  ")
    assert response.status_code == 400
    text = response.content.decode()
    assert "请说明不满意的原因。" in text
    assert "以便承办单位重新办理" not in text
