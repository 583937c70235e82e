"""Hot topics (insights.topics): grouping by matter, place and time; heat; names."""

import datetime
import math

import pytest

from zhitong.insights import similar
from zhitong.insights import topics as t
from zhitong.insights.router import Message

NOW = datetime.datetime(2026, 6, 30, 12, 0)

STIR = [
    ("丽发新城搅拌站噪音扰民", "丽发新城小区旁边的搅拌站每天晚上施工，噪音和粉尘很大，请求搬迁。"),
    ("投诉丽发新城附近搅拌站", "丽发新城旁的搅拌站夜间噪音扰民，粉尘污染严重，希望尽快搬迁。"),
    ("丽发新城搅拌站粉尘大", "丽发新城小区附近搅拌站粉尘大，孩子没法开窗，请有关部门查处搅拌站。"),
]
BUS = ("中南路候车亭破损", "中南路公交站的候车亭顶棚破损，下雨天乘客淋雨，希望尽快维修。")
LAMP = ("首义小区路灯不亮", "首义小区东门的路灯坏了一个月，晚上老人出行不便，希望尽快修好。")


def item(i, pair, *, days_ago=1, votes=0, person="", place=""):
    return t.Item(
        id=str(i),
        message=Message(*pair),
        at=NOW - datetime.timedelta(days=days_ago),
        votes=votes,
        person=person or f"p{i}",
        place=place,
    )


def run(items, **kw):
    printer = similar.printer()
    prints = printer.prints([i.message for i in items])
    titles = printer.prints([Message(i.message.title, "") for i in items])
    return t.hot_topics(items, prints, titles, now=NOW, **kw)


def test_one_matter_in_other_words_is_one_topic_and_the_rest_stand_alone():
    items = [item(i, pair) for i, pair in enumerate(STIR)] + [item(7, BUS), item(8, LAMP)]
    found = run(items)
    assert sorted(found[0].ids) == ["0", "1", "2"]
    assert {tuple(topic.ids) for topic in found[1:]} == {("7",), ("8",)}
    top = found[0]
    assert top.size == 3 and top.people == 3
    assert "搅拌站" in top.keywords and top.place == "丽发新城"
    assert top.name.startswith("丽发新城：")
    assert top.title in {pair[0] for pair in STIR}
    # min_size leaves out the topics of one message.
    assert [topic.ids for topic in run(items, min_size=2)] == [top.ids]


def test_time_and_place_keep_one_kind_of_matter_apart():
    # The same words half a year apart: two topics.
    apart = [item(0, STIR[0], days_ago=1), item(1, STIR[1], days_ago=200)]
    assert len(run(apart, min_size=2)) == 0
    # The same words in two streets (the process's place): two topics.
    streets = [item(0, STIR[0], place="甲街道"), item(1, STIR[1], place="乙街道")]
    assert len(run(streets, min_size=2)) == 0
    same = [item(0, STIR[0], place="甲街道"), item(1, STIR[1], place="甲街道")]
    assert len(run(same, min_size=2)) == 1
    # Titles naming unrelated estates: the same complaint about two places.
    estates = [
        item(0, ("北园公寓物业服务不到位", "北园公寓楼道长期无人打扫，物业服务很差。")),
        item(1, ("泰和小区物业服务不到位", "泰和小区楼道长期无人打扫，物业服务很差。")),
    ]
    assert len(run(estates, min_size=2)) == 0


def test_heat_counts_votes_recency_and_spread_as_documented():
    fresh = run([item(0, STIR[0], days_ago=0)], half_life_days=30)[0]
    assert fresh.heat == pytest.approx(1.0, abs=0.01)
    old = run([item(0, STIR[0], days_ago=30)], half_life_days=30)[0]
    assert old.heat == pytest.approx(0.5, abs=0.01)
    voted = run([item(0, STIR[0], days_ago=0, votes=99)])[0]
    assert voted.heat == pytest.approx(1 + math.log(100), abs=0.01) and voted.votes == 99
    # Three messages from three people against the same three from one person.
    many = run([item(i, p, days_ago=0) for i, p in enumerate(STIR)])[0]
    one = run([item(i, p, days_ago=0, person="same") for i, p in enumerate(STIR)])[0]
    assert many.heat == pytest.approx(3.0, abs=0.02)
    assert one.heat == pytest.approx(3.0 * math.sqrt(1 / 3), abs=0.02) and one.people == 1
    assert one.parts == {"weight": pytest.approx(3.0, abs=0.02), "spread": 0.577}
    # Hottest first.
    mixed = run([item(0, BUS, days_ago=0), *[item(i + 1, p) for i, p in enumerate(STIR)]])
    assert mixed[0].size == 3 and mixed[0].heat > mixed[1].heat


def test_nothing_to_group():
    assert run([]) == []


def test_the_shipped_messages_with_votes_give_their_known_campaigns():
    """The two largest campaigns of the shipped messages come out first over the whole
    period (bench/topics_eval.py prints them with every message)."""
    from zhitong.insights import data

    items = data.with_votes()
    now = max(i.at for i in items) + datetime.timedelta(days=1)
    printer = similar.printer()
    found = t.hot_topics(
        items,
        printer.prints([i.message for i in items]),
        printer.prints([Message(i.message.title, "") for i in items]),
        now=now,
        background=t.background_words(),
        half_life_days=180,
        top=2,
    )
    assert found[0].place == "丽发新城" and found[0].size >= 35
    assert found[1].place == "伊景园滨河苑" and found[1].size >= 30
