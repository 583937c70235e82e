"""Chinese text search (检索) of opinions: the search document, the query, both databases."""

import pytest
from django.db import connection

from zhitong.opinions import search
from zhitong.opinions.models import Opinion
from zhitong.opinions.search import query_terms, search_document, search_opinions
from zhitong.opinions.search_text import opinion_search_text
from zhitong.opinions.tests.lifecycle_world import build, new_opinion


def test_the_document_holds_words_and_two_character_shingles():
    doc = search_document("小区路灯不亮", "晚上出行不便")
    words = doc.split()
    # The segmenter cuts 路 | 灯不亮; the shingles still hold 路灯.
    assert "路灯" in words and "灯不亮" in words and "不亮" in words
    assert "出行" in words
    assert len(words) == len(set(words))


def test_the_document_drops_punctuation_and_lowers_latin():
    doc = search_document("Wi-Fi信号差！", "ABC123，")
    words = doc.split()
    assert "wi" in words and "fi" in words and "abc123" in words
    assert not any(ch in doc for ch in "！，-")


def test_query_terms_are_segmented_without_punctuation():
    assert query_terms("电梯维修，噪音！") == ["电梯", "维修", "噪音"]
    assert query_terms("   ") == []
    assert query_terms("K7QX-9MPA-3R") == ["k7qx", "9mpa", "3r"]


def test_a_term_stands_for_itself_or_all_its_shingles():
    assert search._tsquery(["电梯"]) == "'电梯':*"
    assert search._tsquery(["灯不亮", "abc"]) == "('灯不亮':* | ('灯不' & '不亮')) & 'abc':*"


@pytest.fixture
def w(db):
    return build()


def _with_text(w, code, subject, content, document=search_document):
    return new_opinion(
        w,
        tracking_code=code,
        subject=subject,
        content=content,
        search_text=document(subject, content),
    )


@pytest.fixture
def corpus(w):
    return {
        "lamp": _with_text(w, "SRCH000001", "小区路灯不亮", "晚上出行不便，老人容易摔倒。"),
        "lift": _with_text(w, "SRCH000002", "电梯坏了", "电梯三个月没人维修。"),
        "noise": _with_text(w, "SRCH000003", "夜间施工噪音", "工地晚上十二点还在施工。"),
    }


def found(query):
    return set(
        search_opinions(Opinion.objects.all(), query).values_list("tracking_code", flat=True)
    )


def test_search_finds_words_however_they_were_cut(corpus):
    assert found("路灯") == {"SRCH000001"}
    assert found("电梯维修") == {"SRCH000002"}
    assert found("施工噪音") == {"SRCH000003"}
    assert found("晚上") == {"SRCH000001", "SRCH000003"}


def test_every_word_must_match(corpus):
    assert found("晚上 施工") == {"SRCH000003"}
    assert found("电梯 路灯") == set()


def test_a_single_character_matches(corpus):
    assert found("梯") == {"SRCH000002"}


def test_an_empty_or_punctuation_query_finds_everything(corpus):
    assert found("") == {"SRCH000001", "SRCH000002", "SRCH000003"}
    assert found("，。！") == {"SRCH000001", "SRCH000002", "SRCH000003"}


def test_quotes_and_operators_in_the_query_are_harmless(corpus):
    assert found("路灯' | !") == {"SRCH000001"}
    assert found("a & b :* (") == set()


def test_a_tracking_code_finds_its_opinion_however_typed(w, corpus):
    canonical = new_opinion(w, tracking_code="K7QX-9MPA-3R", search_text="")
    assert found("k7qx 9mpa 3r") == {canonical.tracking_code}
    assert found("K7QX9MPA3R") == {canonical.tracking_code}
    assert found("srch000002") == {"SRCH000002"}


def test_documents_written_by_intake_are_found_for_whole_words(w):
    """Intake fills search_text with search_text.opinion_search_text (words only)."""
    _with_text(w, "PLAIN00001", "电梯坏了", "电梯三个月没人维修。", document=opinion_search_text)
    assert found("电梯维修") == {"PLAIN00001"}
    assert found("维修") == {"PLAIN00001"}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text index")
def test_postgresql_search_can_use_the_gin_index():
    from zhitong.opinions.models import Opinion

    # With sequential and plain index scans off, the tsvector condition can only be
    # answered by a bitmap scan of an index on that very expression.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = search_opinions(Opinion.objects.all(), "路灯").explain()
    assert "op_search_gin" in plan
