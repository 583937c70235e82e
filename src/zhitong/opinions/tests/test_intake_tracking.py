"""Tracking codes: short, unguessable, easy to read out, typed back in any reasonable way."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhitong.opinions import tracking
from zhitong.opinions.tracking import ALPHABET, new_code, normalize_code, unused_codes
from zhitong.testing import factories as f

CODE = re.compile(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}")


def test_codes_are_ten_characters_grouped_without_ambiguous_ones():
    for _ in range(500):
        code = new_code()
        assert CODE.fullmatch(code), code
        assert not set(code) & set("0O1IL")
    assert len(ALPHABET) == 31
    # About 49 bits: guessing one of a million codes takes ~8e8 tries on average.
    assert len(ALPHABET) ** tracking.LENGTH > 8 * 10**14


def test_codes_do_not_repeat():
    codes = {new_code() for _ in range(20000)}
    assert len(codes) == 20000


@pytest.mark.parametrize(
    "typed",
    [
        "K7QX-9MPA-3R",
        "k7qx-9mpa-3r",
        "K7QX9MPA3R",
        " k7qx 9mpa 3r ",
        "K7QX—9MPA—3R",
        "Ｋ７ＱＸ－９ＭＰＡ－３Ｒ",
        "K7QX.9MPA.3R",
    ],
)
def test_typed_codes_are_normalised(typed):
    assert normalize_code(typed) == "K7QX-9MPA-3R"


@pytest.mark.parametrize(
    "typed", ["", "K7QX-9MPA-3", "K7QX-9MPA-3RR", "K7QX-9MPA-3I", "K0QX-9MPA-3R", "哈哈"]
)
def test_what_cannot_be_a_code_is_refused(typed):
    assert normalize_code(typed) is None


@given(st.text(max_size=40))
def test_normalising_never_fails_and_yields_canonical_codes(text):
    result = normalize_code(text)
    assert result is None or CODE.fullmatch(result)


@pytest.mark.django_db
def test_unused_codes_skip_codes_already_taken(monkeypatch, district):
    f.OpinionFactory(tracking_code="AAAA-AAAA-AA", district=district)
    draws = iter(["AAAA-AAAA-AA", "BBBB-BBBB-BB"])
    monkeypatch.setattr(tracking, "new_code", lambda: next(draws))
    assert unused_codes(1) == ["BBBB-BBBB-BB"]


# --- the search document written at intake ---------------------------------------------


def test_search_text_holds_words_and_shingles():
    from zhitong.opinions.search_text import opinion_search_text

    text = opinion_search_text("<script>路灯不亮", "ABC物业不管，人大代表！")
    terms = text.split(" ")
    assert {"script", "路灯", "abc", "物业", "人大代表", "人大", "代表"} <= set(terms)
    assert {"路灯", "灯不", "不亮"} <= set(terms)  # shingles, whatever the segmenter did
    assert len(terms) == len(set(terms))
    assert "<" not in text and "，" not in text


def test_search_text_is_the_document_the_queue_search_expects():
    search = pytest.importorskip("zhitong.opinions.search")
    from zhitong.opinions.search_text import opinion_search_text

    subject, content = "小区电梯坏了", "三个月没人修，wi-fi 也不通；ABC物业不管。"
    assert opinion_search_text(subject, content) == search.search_document(subject, content)
