"""The reply-quality aid (insights.replies): four scores and their reasons."""

import pytest

from zhitong.insights import replies as r
from zhitong.insights.topics import background_words

TITLE = "丽发新城搅拌站噪音扰民"
TEXT = (
    "丽发新城小区旁边的搅拌站每天晚上施工到凌晨，噪音和粉尘很大。"
    "希望有关部门查处夜间施工。请问搅拌站什么时候搬迁？"
)
GOOD = (
    "您好！您反映的丽发新城搅拌站噪音扰民问题已收悉。经现场调查核实，丽发新城旁的搅拌站"
    "夜间施工噪音超标、粉尘较大，未办理夜间施工许可，违反《中华人民共和国环境噪声污染防治法》的规定。我局已责令其停止"
    "夜间施工，并对其立案查处。该搅拌站将于2020年3月底前完成搬迁。2020年1月5日"
)
TEMPLATE = "您好！您的留言已收悉。我们将认真研究，感谢您对我们工作的关心和支持。2020年1月5日"


def assess(reply, **kw):
    return r.assess(title=TITLE, text=TEXT, reply=reply, background=background_words(), **kw)


def test_a_reply_that_takes_up_every_point_with_reasons_scores_high():
    q = assess(GOOD, days=10, limit_days=15)
    assert q.relevance >= r.HIGH and q.levels()["relevance"] == "high"
    assert q.points == 2 and q.unanswered == [] and q.completeness == 1.0
    assert q.present == ["reasons", "policy", "steps", "dates"] and q.explainability == 1.0
    assert q.timeliness == 1.0


def test_a_template_reply_scores_low_and_says_why():
    q = assess(TEMPLATE, days=40, limit_days=15)
    assert q.relevance < r.LOW and "搅拌站" in q.missed_words
    assert q.completeness == 0.0 and len(q.unanswered) == 2
    assert "请问搅拌站什么时候搬迁？" in q.unanswered
    # Its signing date is not a time limit, nor "将认真研究" a step.
    assert q.missing == ["reasons", "policy", "steps", "dates"]
    assert q.timeliness == pytest.approx(1 - 25 / 30)


def test_restating_the_message_is_not_answering_it():
    restated = f"您好！您反映的{TITLE}的问题已收悉，感谢您的关心。"
    q = assess(restated)
    assert q.relevance < r.LOW and q.completeness == 0.0


def test_points_are_the_sentences_that_ask_else_the_title():
    assert r.points_of(TITLE, TEXT) == ["希望有关部门查处夜间施工。", "请问搅拌站什么时候搬迁？"]
    assert r.points_of("路灯不亮", "东门的路灯坏了一个月。") == ["路灯不亮"]


def test_timeliness_within_the_limit_and_falling_after():
    assert r.timeliness(15, 15) == 1.0
    assert r.timeliness(30, 15) == 0.5
    assert r.timeliness(60, 15) == 0.0
    assert r.timeliness(None, 15) is None and r.timeliness(10, None) is None


def test_spearman_correlation():
    assert r.correlation([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert r.correlation([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert r.correlation([1, 1, 2, 2], [1, 2, 3, 4]) == pytest.approx(0.894, abs=0.001)
