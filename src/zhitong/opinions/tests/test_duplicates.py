"""Opinions about the same matter: the hints a citizen gets while writing (the script's
endpoint and the button that works without script), following one instead of raising a
new one, and the likely duplicates staff see on a case page and merge in one click."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from zhitong.core.models import Event
from zhitong.insights.models import TextPrint
from zhitong.opinions import duplicates, services
from zhitong.opinions.models import Opinion, Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db

STIR = "丽发新城小区旁边的搅拌站每天晚上施工，噪音和粉尘很大，严重影响居民休息，请求搬迁搅拌站。"
STIR_AGAIN = "丽发新城旁的搅拌站夜间噪音扰民，粉尘污染严重，居民无法休息，希望尽快搬迁这个搅拌站。"
OTHER = "中南路公交站的候车亭顶棚破损，下雨天乘客淋雨，希望公交公司尽快维修候车亭。"


@pytest.fixture
def w(db):
    cache.clear()
    yield build()
    cache.clear()


def stir(w, **kw):
    return new_opinion(w, **{"subject": "丽发新城搅拌站噪音粉尘扰民", "content": STIR, **kw})


def form_url(w):
    return f"/opinions/new/?district={w.district.code}"


def similar_url(w, **params):
    query = {"district": w.district.code, **params}
    return reverse("opinions_public:similar") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def key_of(page: str) -> str:
    return re.search(r'name="submission_key" value="([^"]+)"', page).group(1)


def form_data(w, key, **over):
    data = {
        "district": w.district.code,
        "submission_key": key,
        "subject": "搅拌站噪音扰民",
        "content": STIR_AGAIN,
        "category": "",
        "place": str(w.community_a.pk),
        "address": "",
        "submitter_name": "",
        "submitter_phone": "13900005678",
        "submitter_email": "",
    }
    data.update(over)
    return data


# --- what a citizen is shown -------------------------------------------------------------------


def test_citizen_sees_open_opinions_of_the_street_like_theirs(w):
    main = stir(w)
    new_opinion(w, subject="候车亭破损", content=OTHER)
    closed = stir(w, status=Status.CLOSED)
    merged = stir(w, status=Status.MERGED, merged_into=main)
    elsewhere = stir(w, street=w.street_b, place=None, station=w.station_b)
    found = duplicates.for_citizen(
        district=w.district,
        place=None,
        street=w.street_a,
        subject="搅拌站噪音扰民",
        content=STIR_AGAIN,
    )
    assert [s.opinion for s in found] == [main]
    assert found[0].score >= 0.25
    assert duplicates.followed(found[0].ref) == main.pk
    for hidden in (closed, merged, elsewhere):
        assert hidden.pk not in {s.opinion.pk for s in found}
    # Too little typed: nothing compared.
    assert (
        duplicates.for_citizen(
            district=w.district, place=None, street=None, subject="搅拌", content=""
        )
        == []
    )


def test_nearby_is_the_community_when_the_place_is_one(w):
    from zhitong.accounts.tests.world import add_community

    next_door = add_community(w.street_a, "甲三社区")
    here = stir(w)
    there = stir(w, place=next_door)

    def shown(place):
        return {
            s.opinion.pk
            for s in duplicates.for_citizen(
                district=w.district,
                place=place,
                street=w.street_a,
                subject="搅拌站噪音扰民",
                content=STIR_AGAIN,
            )
        }

    assert shown(w.community_a) == {here.pk}
    assert shown(next_door) == {there.pk}
    # A street chosen (or only the station's street known): the whole street.
    assert shown(w.street_a) == {here.pk, there.pk}
    assert shown(None) == {here.pk, there.pk}


def test_the_script_endpoint_shows_the_hint_without_the_text_or_the_submitter(w, client):
    main = stir(w, subject="丽发新城搅拌站噪音 13912345678 扰民")
    response = client.get(
        similar_url(w, place=w.community_a.pk, subject="搅拌站噪音扰民", content=STIR_AGAIN)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "丽发新城搅拌站噪音 *** 扰民" in page  # a number in a subject is hidden
    assert "13912345678" not in page
    assert main.submitter_name not in page and STIR not in page
    assert 'name="follow"' in page and "相似度" in page
    assert response["Cache-Control"].startswith("max-age=0")
    # Nothing like it: an empty piece.
    empty = client.get(similar_url(w, subject="候车亭顶棚破损", content=OTHER))
    assert empty.status_code == 200 and "follow" not in empty.content.decode()


def test_the_script_endpoint_refuses_bad_input_and_counts_every_ask(w, client):
    assert client.get(similar_url(w).replace(w.district.code, "999999")).status_code == 400
    cache.clear()
    with override_settings(OPINIONS_RATE_LIMITS={"similar_ip": "3/600"}):
        codes = [
            client.get(similar_url(w, subject="搅拌站噪音", content=STIR)).status_code
            for _ in range(4)
        ]
        # The refused one was counted too: the next is still refused.
        again = client.get(similar_url(w, subject="搅拌站噪音", content=STIR))
    assert codes == [200, 200, 200, 429] and again.status_code == 429
    assert "Retry-After" in again
    # A very long text is cut, not refused; a street of another district is not used.
    long = client.get(
        similar_url(w, subject="搅" * 500, content="噪" * 5000, street=w.far_district.pk)
    )
    assert long.status_code == 200


def test_the_check_button_works_without_script_and_writes_nothing(w, client):
    stir(w)
    before = Opinion.objects.count()
    page = client.get(form_url(w)).content.decode()
    assert 'name="check"' in page and "formnovalidate" in page
    response = client.post(form_url(w), {**form_data(w, key_of(page)), "check": "1"})
    text = response.content.decode()
    assert response.status_code == 200
    assert Opinion.objects.count() == before
    assert "丽发新城搅拌站噪音粉尘扰民" in text and 'name="follow"' in text
    assert "搅拌站噪音扰民" in text  # what they typed is kept
    # Nothing like it: said so.
    none = client.post(
        form_url(w),
        {**form_data(w, key_of(page), subject="候车亭破损", content=OTHER), "check": "1"},
    )
    assert "附近暂未发现类似的意见" in none.content.decode()


def test_the_check_button_is_counted_by_the_post_limit(w, client):
    key = key_of(client.get(form_url(w)).content.decode())
    with override_settings(OPINIONS_RATE_LIMITS={"post_ip": "2/600"}):
        codes = [
            client.post(form_url(w), {**form_data(w, key), "check": "1"}).status_code
            for _ in range(3)
        ]
    assert codes == [200, 200, 429]


def test_following_an_open_opinion_merges_the_new_one_as_the_submitters_act(
    w, client, django_capture_on_commit_callbacks
):
    main = stir(w)
    page = client.post(
        form_url(w),
        {**form_data(w, key_of(client.get(form_url(w)).content.decode())), "check": "1"},
    ).content.decode()
    ref = re.search(r'name="follow" value="([^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(w), {**form_data(w, key_of(page)), "follow": ref})
    assert response.status_code == 303
    mine = Opinion.objects.exclude(pk=main.pk).get()
    assert (mine.status, mine.merged_into) == (Status.MERGED, main)
    event = Event.objects.for_object(mine).get(verb="follow")
    assert event.actor is None and event.actor_name == "反映人"
    assert event.data["into"]["tracking_code"] == main.tracking_code
    confirmation = client.get(response["Location"]).content.decode()
    assert "您选择了跟进相同的问题" in confirmation
    assert reverse("opinions_public:follow", args=[mine.tracking_code]) in confirmation
    # Its fingerprint is kept once written, for the next citizen and for staff.
    assert TextPrint.objects.filter(process="opinions", object_id=str(mine.pk)).exists()


def test_a_follow_pressed_on_a_form_that_does_not_pass_keeps_the_hints(w, client):
    main = stir(w)
    page = client.get(form_url(w)).content.decode()
    response = client.post(
        form_url(w),
        {
            **form_data(w, key_of(page), submitter_phone="12345"),
            "follow": duplicates.follow_ref(main),
        },
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "请填写11位手机号码" in text
    assert main.subject in text and 'name="follow"' in text
    assert Opinion.objects.count() == 1


def test_following_one_closed_since_keeps_the_new_opinion_for_triage(w, client):
    main = stir(w)
    ref = duplicates.follow_ref(main)
    Opinion.objects.filter(pk=main.pk).update(status=Status.CLOSED)
    page = client.get(form_url(w)).content.decode()
    response = client.post(form_url(w), {**form_data(w, key_of(page)), "follow": ref})
    assert response.status_code == 303
    mine = Opinion.objects.exclude(pk=main.pk).get()
    assert mine.status == Status.RECEIVED and mine.merged_into is None
    assert "将单独办理" in client.get(response["Location"]).content.decode()


def test_a_forged_follow_reference_is_ignored(w, client):
    main = stir(w)
    page = client.get(form_url(w)).content.decode()
    response = client.post(form_url(w), {**form_data(w, key_of(page)), "follow": str(main.pk)})
    assert response.status_code == 303
    mine = Opinion.objects.exclude(pk=main.pk).get()
    assert mine.status == Status.RECEIVED and mine.merged_into is None


def test_following_is_refused_for_another_district_or_a_merged_one(w):
    far = new_opinion(
        w, district=w.far_district, street=None, place=None, station=None, deputy=None
    )
    main = stir(w)
    merged = stir(w, status=Status.MERGED, merged_into=main)
    for target in (far, merged):
        mine = stir(w)
        with pytest.raises(services.OpinionError):
            services.opinion_follow(opinion=mine, main_id=target.pk)
        mine.refresh_from_db()
        assert mine.status == Status.RECEIVED


# --- what staff are shown --------------------------------------------------------------------


def test_staff_see_likely_duplicates_with_a_score_and_merge_in_one_click(w, client):
    main = stir(w)
    new_opinion(w, subject="候车亭破损", content=OTHER)
    mine = new_opinion(w, subject="搅拌站噪音扰民", content=STIR_AGAIN)
    client.force_login(w.staff)
    page = client.get(reverse("opinions:detail", args=[mine.pk])).content.decode()
    panel = page[page.index('id="likely-duplicates"') :]
    assert main.tracking_code in panel and "相似度" in panel and "候车亭破损" not in panel
    assert f'name="into" value="{main.tracking_code}"' in panel
    response = client.post(
        reverse("opinions:merge", args=[mine.pk]),
        {"into": main.tracking_code, "note": "按系统提示合并（文字相似度 60%）"},
    )
    assert response.status_code in (302, 303)
    mine.refresh_from_db()
    assert (mine.status, mine.merged_into) == (Status.MERGED, main)
    # Once merged, no more hints on it.
    again = client.get(reverse("opinions:detail", args=[mine.pk])).content.decode()
    assert 'id="likely-duplicates"' not in again


@pytest.mark.parametrize(
    "role, sees",
    [
        ("staff", True),
        ("admin", True),
        # The station's deputy and liaison triage what is addressed to them.
        ("deputy", True),
        ("liaison", True),
        ("street", True),
        ("unit", False),
        ("other_liaison", False),
        ("far_staff", False),
        ("citizen", False),
    ],
)
def test_likely_duplicates_only_for_those_who_triage_or_refer(w, client, role, sees):
    stir(w)
    mine = new_opinion(w, subject="搅拌站噪音扰民", content=STIR_AGAIN)
    client.force_login(w.users[role])
    response = client.get(reverse("opinions:detail", args=[mine.pk]))
    assert ('id="likely-duplicates"' in response.content.decode()) is sees


def test_a_street_user_sees_only_duplicates_in_their_scope(w, client):
    in_b = stir(w, street=w.street_b, place=None, station=w.station_b)
    in_a = stir(w)
    mine = new_opinion(w, subject="搅拌站噪音扰民", content=STIR_AGAIN)
    client.force_login(w.street)
    page = client.get(reverse("opinions:detail", args=[mine.pk])).content.decode()
    panel = page[page.index('id="likely-duplicates"') :]
    assert in_b.tracking_code not in panel
    assert in_a.tracking_code in panel
