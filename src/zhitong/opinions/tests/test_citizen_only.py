"""Only the submitter rates online: nothing a handler can read (case pages, queue, ledger
exports, notifications, the messages' stored copies) is a credential that the citizen-only
rating form accepts; a handler records a rating taken by phone or in person as their own act.
"""

import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client

from zhitong.core.models import Event
from zhitong.handling.models import Rating
from zhitong.notifications.models import Message, Notification
from zhitong.opinions import services
from zhitong.opinions.models import Status
from zhitong.opinions.tracking import ALPHABET, rating_key, rating_key_matches

from .lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db

HANDLERS = ["admin", "staff", "leader", "street", "deputy", "liaison", "unit", "co_unit"]
# Anything shaped like a code or a key, in any grouping: 8 or 10 characters of the alphabet.
TOKEN = re.compile(rf"[{ALPHABET}](?:[-\s]?[{ALPHABET}]){{7,11}}", re.IGNORECASE)


@pytest.fixture
def world(db):
    cache.clear()
    return build()


def _in_every_state(w) -> dict:
    """One opinion per state a handler meets, the same deputy and units throughout."""
    opinions = {}
    opinions["received"] = new_opinion(w, subject="收到")
    accepted = new_opinion(w, subject="受理")
    services.opinion_accept(opinion=accepted, by=w.staff)
    opinions["accepted"] = accepted
    handling = new_opinion(w, subject="办理")
    services.opinion_accept(opinion=handling, by=w.staff)
    referral = services.opinion_refer(
        opinion=handling, by=w.staff, unit=w.housing, co_units=[w.roads], working_days=10
    )
    services.referral_accept(referral=referral, by=w.unit)
    opinions["handling"] = handling
    sent = new_opinion(w, subject="已反馈")
    services.opinion_accept(opinion=sent, by=w.staff)
    referral = services.opinion_refer(
        opinion=sent, by=w.staff, unit=w.housing, co_units=[w.roads], working_days=10
    )
    services.referral_accept(referral=referral, by=w.unit)
    reply = services.reply_submit(referral=referral, by=w.unit, text="已处理。")
    services.reply_send(reply=reply, by=w.staff)
    opinions["sent"] = sent
    duplicate = new_opinion(w, subject="重复")
    services.opinion_merge(opinion=duplicate, into=sent, by=w.staff)
    opinions["merged"] = duplicate
    declined = new_opinion(w, subject="不予受理")
    services.opinion_decline(opinion=declined, by=w.staff, reason="out_of_scope")
    opinions["declined"] = declined
    referred = new_opinion(w, subject="已转办")
    services.opinion_accept(opinion=referred, by=w.staff)
    services.opinion_refer(opinion=referred, by=w.staff, unit=w.housing, working_days=10)
    opinions["referred"] = referred
    replied = new_opinion(w, subject="已答复")
    services.opinion_accept(opinion=replied, by=w.staff)
    referral = services.opinion_refer(opinion=replied, by=w.staff, unit=w.housing, working_days=10)
    services.referral_accept(referral=referral, by=w.unit)
    services.reply_submit(referral=referral, by=w.unit, text="已处理，请审核。")
    opinions["replied"] = replied
    for final, score in (("closed", "satisfied"), ("closed_unsatisfied", "unsatisfied")):
        opinion = new_opinion(w, subject=final)
        services.opinion_accept(opinion=opinion, by=w.staff)
        referral = services.opinion_refer(
            opinion=opinion, by=w.staff, unit=w.housing, working_days=10
        )
        services.referral_accept(referral=referral, by=w.unit)
        for _round in range(2 if score == "unsatisfied" else 1):
            reply = services.reply_submit(referral=referral, by=w.unit, text="已处理。")
            services.reply_send(reply=reply, by=w.staff)
            services.rating_submit(opinion=opinion, score=score, comment="还是不行")
        opinions[final] = opinion
    for opinion in opinions.values():
        opinion.refresh_from_db()
    assert {o.status for o in opinions.values()} == set(Status.values)
    return opinions


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row
    )


def _everything_readable(client: Client, opinions: dict) -> str:
    """The text of every page, export and notification this client's user can open."""
    texts = []
    urls = ["/accounts/home/", "/work/opinions/", "/work/notifications/"]
    urls += [f"/work/opinions/{o.pk}/" for o in opinions.values()]
    urls += [f"/work/opinions/?q={o.tracking_code}" for o in opinions.values()]
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            texts.append(response.content.decode())
    csv = client.get("/work/opinions/export/?format=csv")
    if csv.status_code == 200:
        texts.append(csv.content.decode("utf-8-sig"))
    xlsx = client.get("/work/opinions/export/")
    if xlsx.status_code == 200:
        texts.append(_xlsx_text(b"".join(xlsx.streaming_content)))
    return "\n".join(texts)


def test_nothing_a_handler_reads_lets_it_rate_as_the_citizen(world, client):
    opinions = _in_every_state(world)
    sent = opinions["sent"]
    keys = {o.tracking_code: rating_key(o.tracking_code) for o in opinions.values()}
    # Notifications the handlers got (all of them, read as stored) and the SMS copies.
    stored = "\n".join(Notification.objects.values_list("text", flat=True))
    stored += "\n".join(m.body + m.subject for m in Message.objects.all())
    for role in HANDLERS:
        client.force_login(world.users[role])
        readable = _everything_readable(client, opinions) + stored
        assert sent.tracking_code in readable or role == "co_unit" or role == "admin", role
        flat = re.sub(r"[-\s]", "", readable).upper()
        for key in keys.values():
            assert key.replace("-", "") not in flat, (role, key)
        # Every code- or key-shaped token the role could read, tried as the rating key
        # (throttling lifted, so each is really checked).
        candidates = {m.group(0) for m in TOKEN.finditer(readable)} | {sent.tracking_code}
        assert not any(rating_key_matches(sent.tracking_code, c) for c in candidates), role
        for candidate in sorted(candidates)[:20]:
            cache.clear()
            response = client.post(
                f"/opinions/track/{sent.tracking_code}/rate/",
                {"rating_key": candidate, "score": "satisfied"},
            )
            assert response.status_code == 403, (role, candidate)
    assert not Rating.objects.filter(opinion=sent).exists()
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_the_tracking_code_alone_cannot_rate(world, client):
    sent = _in_every_state(world)["sent"]
    url = f"/opinions/track/{sent.tracking_code}/rate/"
    missing = client.post(url, {"score": "satisfied"})
    assert missing.status_code == 400 and "请输入评价码" in missing.content.decode()
    wrong = client.post(url, {"rating_key": "2345-6789", "score": "satisfied"})
    assert wrong.status_code == 403 and "评价码不正确" in wrong.content.decode()
    assert not Rating.objects.filter(opinion=sent).exists()
    right = client.post(url, {"rating_key": rating_key(sent.tracking_code), "score": "satisfied"})
    assert right.status_code == 303
    rating = Rating.objects.get(opinion=sent)
    assert (rating.method, rating.taken_by) == (Rating.Method.ONLINE, None)
    event = Event.objects.for_object(sent).filter(verb="rating_submit").get()
    assert event.actor is None


def test_wrong_rating_keys_are_throttled_like_wrong_codes(world, client, settings):
    settings.OPINIONS_RATE_LIMITS = {"lookup_ip": "3/600"}
    sent = _in_every_state(world)["sent"]
    url = f"/opinions/track/{sent.tracking_code}/rate/"
    for _ in range(3):
        assert (
            client.post(url, {"rating_key": "2345-6789", "score": "satisfied"}).status_code == 403
        )
    # Past the limit even the right key waits: guessing is no faster than guessing codes.
    blocked = client.post(url, {"rating_key": rating_key(sent.tracking_code), "score": "satisfied"})
    assert blocked.status_code in (403, 429)
    assert not Rating.objects.filter(opinion=sent).exists()


def test_a_handler_records_a_phone_rating_as_their_own_act(world, client):
    sent = _in_every_state(world)["sent"]
    client.force_login(world.staff)
    page = client.get(f"/work/opinions/{sent.pk}/").content.decode()
    assert "记录回访评价" in page
    response = client.post(
        f"/work/opinions/{sent.pk}/record-rating/",
        {"method": "phone", "score": "basically", "comment": "基本解决，希望再快一点"},
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == Status.CLOSED
    rating = Rating.objects.get(opinion=sent)
    assert (rating.method, rating.taken_by, rating.score) == ("phone", world.staff, "basically")
    event = Event.objects.for_object(sent).filter(verb="rating_record").get()
    assert event.actor == world.staff and event.data["method"] == "phone"
    # The unit sees the rating, how it was taken and by whom.
    client.force_login(world.unit)
    replies = client.get(f"/work/opinions/{sent.pk}/").content.decode().split("答复与评价")[1]
    assert "电话回访（王工作）" in replies


def test_units_cannot_record_a_rating(world, client):
    sent = _in_every_state(world)["sent"]
    client.force_login(world.unit)
    assert "记录回访评价" not in client.get(f"/work/opinions/{sent.pk}/").content.decode()
    response = client.post(
        f"/work/opinions/{sent.pk}/record-rating/", {"method": "phone", "score": "satisfied"}
    )
    assert response.status_code in (403, 404)
    assert not Rating.objects.filter(opinion=sent).exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"method": "online", "score": "satisfied"}, "method"),
        ({"method": "phone", "score": "great"}, "score"),
        ({"method": "phone", "score": "unsatisfied", "comment": " "}, "请说明不满意的原因"),
    ],
)
def test_a_bad_callback_record_is_refused_and_changes_nothing(world, client, data, error):
    sent = _in_every_state(world)["sent"]
    client.force_login(world.staff)
    response = client.post(f"/work/opinions/{sent.pk}/record-rating/", data)
    assert response.status_code == 400
    page = response.content.decode()
    # The error at the top of the page links to the callback form, far down the page.
    assert 'href="#form-record_rating"' in page and 'id="form-record_rating"' in page
    assert not Rating.objects.filter(opinion=sent).exists()
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_merge_links_name_only_opinions_the_user_may_open(world, client):
    """A unit handling the main opinion does not see a duplicate from elsewhere that it was
    never referred; a street committee does not see a main opinion in another street."""
    main = new_opinion(world, subject="主件：甲街道路灯")
    services.opinion_accept(opinion=main, by=world.staff)
    services.opinion_refer(opinion=main, by=world.staff, unit=world.housing, working_days=10)
    other = new_opinion(
        world,
        subject="乙街道的重复意见",
        street=world.street_b,
        place=None,
        station=world.station_b,
        deputy=None,
    )
    services.opinion_merge(opinion=other, into=main, by=world.staff)
    main.refresh_from_db()
    other.refresh_from_db()

    client.force_login(world.street)  # 甲街道: may open main, not the 乙街道 duplicate
    page = client.get(f"/work/opinions/{main.pk}/").content.decode()
    assert other.tracking_code not in page and "乙街道的重复意见" not in page
    assert "另有 1 件重复意见" in page

    client.force_login(world.other_street)  # 乙街道: may open the duplicate, not main
    page = client.get(f"/work/opinions/{other.pk}/").content.decode()
    assert main.tracking_code not in page and "主件：甲街道路灯" not in page
    assert "不在您的权限范围内" in page

    client.force_login(world.staff)  # the district sees both, named
    page = client.get(f"/work/opinions/{main.pk}/").content.decode()
    assert other.tracking_code in page and "乙街道的重复意见" in page


def test_staff_notes_stay_with_staff_while_the_unit_reads_what_is_meant_for_it(world, client):
    opinion = new_opinion(world, subject="内部备注")
    services.opinion_accept(opinion=opinion, by=world.staff, note="此人多次反映，注意核实身份")
    services.opinion_refer(
        opinion=opinion, by=world.staff, unit=world.housing, working_days=10, note="请核实物业维修"
    )
    client.force_login(world.unit)
    page = client.get(f"/work/opinions/{opinion.pk}/").content.decode()
    assert "注意核实身份" not in page
    assert "请核实物业维修" in page
    client.force_login(world.staff)
    assert "注意核实身份" in client.get(f"/work/opinions/{opinion.pk}/").content.decode()
