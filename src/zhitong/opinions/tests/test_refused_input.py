"""Refused input leaves nothing behind and invisible characters never pass: a reply refused
at one attachment stores no file; bidi overrides and zero-width characters are dropped from
subjects, texts and file names (a subject of zero-width spaces is empty)."""

import io

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from zhitong.core.text import has_invisible, strip_invisible
from zhitong.handling.models import Reply
from zhitong.opinions import services
from zhitong.opinions.models import Attachment, Opinion

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import form_data, jpeg_upload, submission_key_from
from .lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db


def _stored_files(path="") -> list[str]:
    directories, files = default_storage.listdir(path)
    found = [f"{path}{name}" for name in files]
    for directory in directories:
        found += _stored_files(f"{path}{directory}/")
    return found


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_refused_reply_leaves_no_file_behind(db):
    w = build()
    opinion = new_opinion(w)
    services.opinion_accept(opinion=opinion, by=w.staff)
    referral = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing, working_days=10)
    services.referral_accept(referral=referral, by=w.unit)
    before = _stored_files()
    good_photo = SimpleUploadedFile("现场.png", _png(), content_type="image/png")
    fake_pdf = SimpleUploadedFile(
        "答复函.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(services.OpinionError):
        services.reply_submit(
            referral=referral, by=w.unit, text="已处理。", files=[good_photo, fake_pdf]
        )
    assert _stored_files() == before
    assert not Reply.objects.exists() and not Attachment.objects.exists()


def test_a_failure_after_the_files_were_written_removes_them(db, monkeypatch):
    w = build()
    opinion = new_opinion(w)
    services.opinion_accept(opinion=opinion, by=w.staff)
    referral = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing, working_days=10)
    services.referral_accept(referral=referral, by=w.unit)
    before = _stored_files()

    def broken_record(**kwargs):
        raise RuntimeError("the event could not be written")

    monkeypatch.setattr(services, "_record", broken_record)
    photo = SimpleUploadedFile("现场.png", _png(), content_type="image/png")
    with pytest.raises(RuntimeError):
        services.reply_submit(referral=referral, by=w.unit, text="已处理。", files=[photo])
    assert _stored_files() == before


@pytest.mark.parametrize(
    "text",
    ["BIDI\u202egnp.exe", "a\u200bb", "\u2066x\u2069", "\ufeffx", "a\x07b", "\u061cx"],
)
def test_invisible_characters_are_stripped(text):
    assert has_invisible(text)
    assert not has_invisible(strip_invisible(text))
    # Emoji sequences keep their joiner; Chinese and line breaks are untouched.
    assert strip_invisible("家👨\u200d👩\n路灯") == "家👨\u200d👩\n路灯"


def _station_url(station):
    return f"/opinions/new/station/{station.public_code}/"


def test_a_subject_of_zero_width_spaces_is_refused(client, station):
    cache.clear()
    url = _station_url(station)
    data = form_data(subject="\u200b\u200b\u200b\u200b")
    data["submission_key"] = submission_key_from(client.get(url))
    response = client.post(url, data)
    assert response.status_code == 400
    assert not Opinion.objects.exists()


def test_bidi_overrides_never_reach_the_stored_subject_or_file_name(client, station):
    cache.clear()
    url = _station_url(station)
    data = form_data(subject="路灯\u202e坏了", content="晚上\u200b不亮\u2066，请修\u2069。")
    data["submission_key"] = submission_key_from(client.get(url))
    data["photos"] = [jpeg_upload(name="BIDI\u202egpj.exe")]
    assert client.post(url, data).status_code == 303
    opinion = Opinion.objects.get()
    assert opinion.subject == "路灯坏了"
    assert opinion.content == "晚上不亮，请修。"
    assert opinion.attachments.get().original_name == "BIDIgpj.exe"


def test_an_opinion_with_a_timeline_cannot_be_deleted(db):
    from zhitong.core.models import AppendOnlyError, Event

    w = build()
    opinion = new_opinion(w)
    services.opinion_accept(opinion=opinion, by=w.staff)
    with pytest.raises(AppendOnlyError), transaction.atomic():
        opinion.delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        Opinion.objects.filter(pk=opinion.pk).delete()
    assert Opinion.objects.filter(pk=opinion.pk).exists()
    assert Event.objects.for_object(opinion).count() == 1


def test_spreadsheet_cells_lose_invisible_characters_too():
    from zhitong.core.sheets.reader import cell_text, normalize_title

    assert cell_text("路灯\u202e坏了\u200b") == "路灯坏了"
    assert normalize_title("标题\u200b*") == "标题"
