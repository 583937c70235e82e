"""The public opinion form at its three stable paths: works without JavaScript, refuses bad
input in Chinese next to the field and writes nothing, creates one opinion per form."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhitong.core.models import Event
from zhitong.notifications.models import Message
from zhitong.opinions.models import Attachment, Channel, Opinion, Status
from zhitong.opinions.tracking import is_canonical, rating_key
from zhitong.testing import factories as f

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import (
    ELF_BYTES,
    PE_BYTES,
    form_data,
    jpeg_upload,
    png_upload,
    submission_key_from,
)

pytestmark = pytest.mark.django_db


def _station_url(station):
    return f"/opinions/new/station/{station.public_code}/"


def _deputy_url(deputy):
    return f"/opinions/new/deputy/{deputy.public_code}/"


def post_form(client, url, *, files=None, **overrides):
    key = submission_key_from(client.get(url))
    data = form_data(**overrides)
    data["submission_key"] = key
    if files is not None:
        data["photos"] = files
    return client.post(url, data)


def test_each_path_shows_a_form_that_posts_without_javascript(client, station, deputy):
    for url in ("/opinions/new/", _station_url(station), _deputy_url(deputy)):
        page = client.get(url).content.decode()
        assert 'method="post"' in page
        assert 'enctype="multipart/form-data"' in page
        assert 'name="submission_key"' in page
        assert 'name="content"' in page and 'name="photos"' in page
        # Nothing needs JavaScript: the one script only shows similar opinions while the
        # citizen types, which the form's "看看附近有没有人反映过" button does without it.
        scripts = re.findall(r"<script[^>]*>", page)
        assert len(scripts) == 1 and "similar-opinions.js" in scripts[0] and "defer" in scripts[0]
        assert 'name="check"' in page


def test_station_form_creates_an_opinion_for_the_station(
    client, station, community, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(client, _station_url(station), place=str(community.pk))
    assert response.status_code == 303
    opinion = Opinion.objects.get()
    assert opinion.channel == Channel.QR_STATION
    assert opinion.station == station
    assert opinion.status == Status.RECEIVED
    assert opinion.district.name == "武昌区"
    assert opinion.street == station.street
    assert opinion.place == community
    assert opinion.submitter_phone == "13900001234"
    assert "路灯" in opinion.search_text.split()
    assert is_canonical(opinion.tracking_code)
    event = Event.objects.for_object(opinion).get()
    assert (event.verb, event.to_state, event.actor) == ("received", "received", None)

    confirmation = client.get(response["Location"])
    page = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert opinion.tracking_code in page
    assert "139****1234" in page  # where the code was sent, masked
    message = Message.objects.get()
    assert message.channel == "sms" and message.to == "13900001234"
    # The citizen's phone gets the code and the rating key; the stored copy keeps neither.
    assert rating_key(opinion.tracking_code) in page
    [delivered] = outbox
    assert opinion.tracking_code in delivered["body"]
    assert rating_key(opinion.tracking_code) in delivered["body"]
    assert opinion.tracking_code not in message.body + message.subject
    assert rating_key(opinion.tracking_code) not in message.body


def test_deputy_form_addresses_the_deputy_and_their_station(client, deputy, station):
    response = post_form(client, _deputy_url(deputy))
    assert response.status_code == 303
    opinion = Opinion.objects.get()
    assert (opinion.channel, opinion.deputy, opinion.station) == (
        Channel.QR_DEPUTY,
        deputy,
        station,
    )
    # No place chosen: the station's street.
    assert opinion.street == station.street


def test_general_form_needs_the_place_and_takes_district_and_street_from_it(
    client, community, station
):
    response = post_form(client, "/opinions/new/")
    assert response.status_code == 400
    assert "请选择所在社区" in response.content.decode()
    assert not Opinion.objects.exists()

    response = post_form(client, "/opinions/new/", place=str(community.pk))
    assert response.status_code == 303
    opinion = Opinion.objects.get()
    assert opinion.channel == Channel.ONLINE
    assert (opinion.district.name, opinion.street, opinion.place) == (
        "武昌区",
        community.parent,
        community,
    )
    assert opinion.station is None and opinion.deputy is None


def test_category_is_optional_and_two_level(client, station, categories):
    page = client.get(_station_url(station)).content.decode()
    assert '<optgroup label="民生保障">' in page
    assert "不确定（由工作人员确定）" in page
    response = post_form(client, _station_url(station), category=str(categories["property"].pk))
    assert response.status_code == 303
    assert Opinion.objects.get().category == categories["property"]


def test_anonymous_submission_without_contacts_sends_no_message(
    client, station, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(client, _station_url(station), submitter_name="", submitter_phone="")
    assert response.status_code == 303
    assert not Message.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert Opinion.objects.get().tracking_code in page


def test_email_only_gets_the_code_by_email(client, station, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_form(
            client, _station_url(station), submitter_phone="", submitter_email="zhang@example.cn"
        )
    message = Message.objects.get()
    assert (message.channel, message.to) == ("email", "zhang@example.cn")


# --- bad input: a clear Chinese error next to the field, nothing written -------------------


def _refused(response, field_error: str):
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有提交成功" in page
    assert field_error in page
    assert not Opinion.objects.exists()
    assert not Attachment.objects.exists()
    assert not Event.objects.exists()
    return page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"content": ""}, "请填写意见建议的内容。"),
        ({"content": "   "}, "请填写意见建议的内容。"),
        ({"content": "长" * 5001}, "内容不能超过 5000 个字（现有 5001 个字）。"),
        ({"subject": ""}, "请填写标题。"),
        ({"subject": "题" * 101}, "标题不能超过 100 个字"),
        ({"submitter_phone": "12345"}, "请填写11位手机号码"),
        ({"submitter_phone": "027-88886666"}, "请填写11位手机号码"),
        ({"submitter_email": "not-an-email"}, "电子邮箱格式不正确"),
    ],
)
def test_bad_fields_are_refused_in_chinese_and_values_kept(client, station, overrides, message):
    page = _refused(post_form(client, _station_url(station), **overrides), message)
    # What was typed is kept (except the bad field when it is the oversize one).
    assert "首义路12号" in page
    assert 'aria-invalid="true"' in page


def test_content_of_exactly_5000_characters_is_accepted(client, station):
    response = post_form(client, _station_url(station), content="长" * 5000)
    assert response.status_code == 303
    assert len(Opinion.objects.get().content) == 5000


def test_mobile_number_is_normalised(client, station):
    post_form(client, _station_url(station), submitter_phone="+86 139-0000-1234")
    assert Opinion.objects.get().submitter_phone == "13900001234"


def test_a_place_outside_the_district_is_refused(client, station):
    elsewhere = f.make_district(code="420111", name="洪山区")
    street = f.StreetFactory(parent=elsewhere, code="420111001000")
    community = f.CommunityFactory(parent=street, code="420111001001")
    response = post_form(client, _station_url(station), place=str(community.pk))
    _refused(response, "请选择")


def test_script_tags_are_stored_as_text_and_shown_escaped(client, station):
    script = "<script>alert('x')</script>"
    response = post_form(
        client, _station_url(station), subject=f"路灯{script}", content=f"内容{script}"
    )
    assert response.status_code == 303
    opinion = Opinion.objects.get()
    assert opinion.subject == f"路灯{script}"
    assert opinion.content == f"内容{script}"
    page = client.get(f"/opinions/track/{opinion.tracking_code}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_executables_renamed_jpg_are_refused(client, station):
    for payload in (ELF_BYTES, PE_BYTES):
        upload = SimpleUploadedFile("photo.jpg", payload, content_type="image/jpeg")
        page = _refused(
            post_form(client, _station_url(station), files=[upload]),
            "不是可以识别的照片，只能上传 JPEG、PNG 或 WebP 格式的图片。",
        )
        assert "photo.jpg" in page
        assert "照片没有保留" in page  # the user is told to choose the photos again


def test_a_20_mb_photo_is_refused(client, station):
    upload = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * (20 * 1024 * 1024))
    _refused(post_form(client, _station_url(station), files=[upload]), "每张不能超过 5 MB")


def test_more_than_three_photos_are_refused(client, station):
    uploads = [jpeg_upload(name=f"p{i}.jpg") for i in range(4)]
    _refused(
        post_form(client, _station_url(station), files=uploads),
        "最多上传 3 张照片，您选择了 4 张。",
    )


def test_three_photos_are_stored_with_their_real_type(client, station):
    uploads = [jpeg_upload(name="a.jpg"), png_upload(name="b.jpg"), jpeg_upload(name="c.jpeg")]
    response = post_form(client, _station_url(station), files=uploads)
    assert response.status_code == 303
    attachments = list(Attachment.objects.order_by("original_name"))
    assert [a.content_type for a in attachments] == ["image/jpeg", "image/png", "image/jpeg"]
    assert attachments[1].file.name.endswith(".png")  # the PNG named .jpg is stored as PNG
    assert all(a.opinion == Opinion.objects.get() for a in attachments)
    event = Event.objects.get()
    assert event.data["photos"] == 3


# --- one form, one opinion ---------------------------------------------------------------


def test_double_submit_with_the_same_key_creates_one_opinion(client, station):
    url = _station_url(station)
    key = submission_key_from(client.get(url))
    data = form_data(submission_key=key)
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 303
    assert second.status_code == 302
    assert Opinion.objects.count() == 1
    code = Opinion.objects.get().tracking_code
    assert code in client.get(first["Location"]).content.decode()
    assert code in client.get(second["Location"]).content.decode()


def test_each_rendered_form_has_its_own_key(client, station):
    url = _station_url(station)
    assert submission_key_from(client.get(url)) != submission_key_from(client.get(url))
    post_form(client, url)
    post_form(client, url)
    assert Opinion.objects.count() == 2
    codes = set(Opinion.objects.values_list("tracking_code", flat=True))
    assert len(codes) == 2


def test_a_forged_submission_key_is_refused_and_a_fresh_one_given(client, station):
    url = _station_url(station)
    response = client.post(url, form_data(submission_key="made-up-key"))
    assert response.status_code == 400
    assert "页面已过期" in response.content.decode()
    assert not Opinion.objects.exists()
    fresh = submission_key_from(response)
    assert fresh != "made-up-key"
    assert client.post(url, form_data(submission_key=fresh)).status_code == 303


def test_confirmation_link_cannot_be_made_up(client, station):
    assert client.get("/opinions/submitted/K7QX-9MPA-3R/").status_code == 404


def test_a_photo_with_gps_exif_is_stored_without_it(client, station):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .intake_support import gps_exif, image_bytes

    original = image_bytes("JPEG", exif=gps_exif())
    assert b"PhoneMaker" in original
    upload = SimpleUploadedFile("gps.jpg", original, content_type="image/jpeg")
    assert post_form(client, _station_url(station), files=[upload]).status_code == 303
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as stored:
        data = stored.read()
    assert b"Exif" not in data and b"PhoneMaker" not in data
    assert attachment.size == len(data)
    assert attachment.original_name == "gps.jpg"
    assert "gps" not in attachment.file.name  # the stored name is the content hash


def test_two_requests_racing_with_one_key_create_one_opinion(station, monkeypatch):
    """The second request passed the key check before the first committed: the unique key
    refuses its insert and it answers with the first request's opinion."""
    from zhitong.opinions import intake

    data = form_data()
    data.pop("category"), data.pop("place")
    kwargs = dict(
        data=data,
        photos=[],
        station=station,
        channel=Channel.QR_STATION,
        submission_key="k" * 32,
        client_ip="10.0.0.1",
    )
    first = intake.opinion_submit(**kwargs)
    real = intake.opinion_by_submission_key
    calls = iter([None])
    monkeypatch.setattr(
        intake, "opinion_by_submission_key", lambda key: next(calls, None) or real(key)
    )
    second = intake.opinion_submit(**kwargs)
    assert second.pk == first.pk
    assert Opinion.objects.count() == 1
    assert Event.objects.count() == 1


def test_a_city_deployment_asks_for_the_district_first(client, station):
    far = f.RegionFactory(
        code="420102", name="江岸区", level="district", parent=station.street.parent.parent
    )
    far_street = f.StreetFactory(parent=far, code="420102001000", name="丙街道")
    far_community = f.CommunityFactory(parent=far_street, code="420102001001", name="丙一社区")
    f.StationFactory(region=far_community)
    page = client.get("/opinions/new/").content.decode()
    assert "请先选择问题所在的区" in page
    assert "江岸区" in page and "武昌区" in page
    assert 'name="content"' not in page
    url = "/opinions/new/?district=420102"
    page = client.get(url).content.decode()
    assert "丙一社区" in page and "首义社区" not in page
    assert 'name="district" value="420102"' in page
    key = submission_key_from(client.get(url))
    data = form_data(place=str(far_community.pk), district="420102", submission_key=key)
    assert client.post("/opinions/new/", data).status_code == 303
    assert Opinion.objects.get().district == far
