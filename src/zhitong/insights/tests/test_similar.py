"""Fingerprints of messages and the closest of a set of candidates (insights.similar)."""

import numpy as np
import pytest

from zhitong.insights import similar
from zhitong.insights.models import TextPrint
from zhitong.insights.router import Message
from zhitong.insights.similarity import KEEP, Print, cosines

STIR = Message(
    "丽发新城搅拌站噪音扰民", "丽发新城小区旁边的搅拌站每天晚上施工，噪音和粉尘很大，请求搬迁。"
)
STIR_AGAIN = Message(
    "搅拌站噪音扰民", "丽发新城旁的搅拌站夜间噪音扰民，粉尘污染严重，希望尽快搬迁。"
)
BUS = Message("候车亭破损", "中南路公交站的候车亭顶棚破损，下雨天乘客淋雨，希望尽快维修。")
LONG = Message("长信", "".join(chr(0x4E00 + i * 7) for i in range(600)))


def test_a_print_keeps_the_heaviest_ngrams_at_unit_length_and_survives_storage():
    printer = similar.printer()
    made = printer.print(LONG)
    assert len(made.columns) == KEEP
    assert np.all(np.diff(made.columns) > 0)
    assert abs(float(np.dot(made.weights, made.weights)) - 1.0) < 1e-5
    blob = made.dumps()
    assert len(blob) == KEEP * 6
    back = Print.loads(blob)
    assert np.array_equal(back.columns, made.columns)
    assert np.allclose(back.weights, made.weights, atol=1e-3)
    # The same text always gives the same print.
    assert printer.print(LONG).dumps() == blob


def test_the_same_matter_is_closer_than_another():
    printer = similar.printer()
    query = printer.print(STIR_AGAIN)
    same, other, itself = cosines(query, printer.prints([STIR, BUS, STIR_AGAIN]))
    assert itself == pytest.approx(1.0, abs=1e-3)
    assert same >= similar.LIKELY > other
    assert cosines(printer.print(Message("", "")), printer.prints([STIR])).tolist() == [0.0]


@pytest.mark.django_db
def test_print_record_makes_the_print_again_only_when_the_text_changed():
    similar.print_record(process="opinions", object_id=7, title=STIR.title, text=STIR.text)
    first = TextPrint.objects.get(process="opinions", object_id="7")
    similar.print_record(process="opinions", object_id=7, title=STIR.title, text=STIR.text)
    assert TextPrint.objects.get(pk=first.pk).created_at == first.created_at
    similar.print_record(process="opinions", object_id=7, title=BUS.title, text=BUS.text)
    again = TextPrint.objects.get(process="opinions", object_id="7")
    assert again.digest != first.digest and bytes(again.blob) != bytes(first.blob)
    assert TextPrint.objects.count() == 1


@pytest.mark.django_db
def test_closest_makes_and_keeps_the_missing_prints_and_ranks_the_candidates():
    texts = {"1": STIR, "2": BUS, "3": STIR_AGAIN}
    asked = []

    def given(ids):
        asked.append(sorted(ids))
        return {i: texts[i] for i in ids}

    found = similar.closest(
        process="opinions", message=STIR_AGAIN, among=[1, 2, 3], texts=given, limit=5
    )
    assert [m.object_id for m in found] == ["3", "1"]
    assert found[0].percent == 100 and found[1].score >= similar.LIKELY
    assert asked == [["1", "2", "3"]]
    assert TextPrint.objects.filter(process="opinions").count() == 3
    # Kept: the texts are not asked for again; the limit and the threshold hold.
    found = similar.closest(
        process="opinions", message=STIR_AGAIN, among=[1, 2, 3], texts=given, limit=1
    )
    assert [m.object_id for m in found] == ["3"] and len(asked) == 1
    assert similar.closest(process="opinions", message=BUS, among=[], texts=given) == []
    # Another process's prints are its own.
    assert (
        similar.closest(process="suggestions", message=STIR_AGAIN, among=[3], texts=lambda ids: {})
        == []
    )
