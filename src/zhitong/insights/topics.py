"""Hot topics: recent messages grouped by matter, place and time, ranked by heat, named.

Grouping: average-linkage clustering of the messages' fingerprints (insights.similarity):
two groups join while their messages are on average at least `SAME_MATTER` alike, where
two messages count as unalike when written more than `WINDOW_DAYS` apart, of different
places (the process's own field, where both have one), with titles naming unrelated
places, or with unalike titles (`TITLE_MIN`) and texts less alike than duplicates.

Heat (热度), shown with its parts so a reader can check it:

    heat = Σ over its messages of (1 + ln(1 + votes)) × ½^(age / HALF_LIFE_DAYS)
           × √(people / messages)

- count: each message counts once, more with its votes (点赞数 where a source has them, a
  process's followers elsewhere), on a log scale (a thousand votes weigh as about eight
  messages);
- recency: a message's weight halves every `HALF_LIFE_DAYS` before `now`;
- spread: many people raising it count more than one person raising it many times.

Naming: the key words of its messages (words found in more of them than the background
corpus would lead one to expect), the place most of them name, and its most central
message's title.

Pure Python, numpy, scipy and rjieba; no Django.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import rjieba
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from zhitong.insights.router import Message
from zhitong.insights.similarity import Print, matrix

# The least average likeness of a topic's messages (average linkage): far looser than a
# duplicate pair (insights.similar.LIKELY), since a topic holds the same matter in many
# people's words; chosen by reading the topics it gives on the shipped messages.
SAME_MATTER = 0.10
WINDOW_DAYS = 90
HALF_LIFE_DAYS = 30
KEYWORDS = 3
# Two messages whose titles are less alike than this are one matter only when their texts
# are alike as duplicates are (insights.similar.LIKELY): what keeps a district's messages
# that share a community's name and little else apart.
TITLE_MIN = 0.10
TEXT_ALONE = 0.30
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,}$")
# Words that say nothing of the matter (how people write to a message board).
STOP_WORDS = frozenset(
    [
        "问题",
        "反映",
        "希望",
        "请求",
        "要求",
        "关于",
        "有关",
        "相关",
        "部门",
        "领导",
        "政府",
        "市委",
        "市政府",
        "我们",
        "你们",
        "他们",
        "这个",
        "那个",
        "什么",
        "怎么",
        "为什么",
        "如何",
        "是否",
        "已经",
        "没有",
        "可以",
        "现在",
        "目前",
        "一直",
        "进行",
        "情况",
        "工作",
        "建议",
        "投诉",
        "咨询",
        "解决",
        "处理",
        "尽快",
        "及时",
        "严重",
        "居民",
        "群众",
        "市民",
        "业主",
        "小区",
        "附近",
        "周边",
        "谢谢",
        "您好",
        "尊敬",
        "恳请",
        "给予",
        "予以",
        "能否",
        "还是",
        "因为",
        "所以",
        "但是",
        "而且",
        "并且",
        "以及",
        "或者",
        "一个",
        "一些",
        "很多",
        "非常",
        "特别",
        "不能",
        "不是",
        "不要",
        "就是",
        "还有",
        "存在",
        "出现",
        "造成",
        "导致",
        "影响",
    ]
)
_PLACE = re.compile(
    r"([\u4e00-\u9fff]{2,6}?(?:小区|花园|家园|公寓|新城|苑|里|村|社区|街道|大道|路|街|巷|广场|大厦|学校|中学|小学))"
)
# Words that open a sentence before a place's name.
_LEAD = re.compile(r"^(?:目前|现在|关于|请问|位于|我们|我家|建议|投诉|咨询|反映|请求|希望|原)+")
_PLACE_STOP = set(
    "我你他她们该本的在了是和到个这那请对与及从被把就都也还有为等此其某各每所于将向给让由"
)


@dataclass(frozen=True)
class Item:
    """One message to group: its id, words, when, its votes, who and where (both optional:
    '' when unknown; an unknown person counts as a person of their own)."""

    id: str
    message: Message
    at: datetime.datetime
    votes: int = 0
    person: str = ""
    place: str = ""


@dataclass
class Topic:
    ids: list[str]
    heat: float
    title: str
    keywords: list[str]
    place: str
    first: datetime.datetime
    last: datetime.datetime
    people: int
    votes: int
    parts: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        words = "、".join(self.keywords)
        return f"{self.place}：{words}" if self.place and words else self.place or words

    @property
    def size(self) -> int:
        return len(self.ids)


# The masks of anonymised sources ("A市", "A2区", "K9县"): not words of the matter.
_MASK = re.compile(r"[A-Za-z]\d*[省市区县]")


def _words(text: str) -> set[str]:
    text = _MASK.sub("，", text)
    return {w for w in rjieba.cut(text) if _HAN.match(w) and w not in STOP_WORDS}


def _place_of(text: str) -> str:
    found = _places_of(text)
    return found[0] if found else ""


def _places_of(text: str) -> list[str]:
    text = _MASK.sub("，", text)
    found = []
    for match in _PLACE.finditer(text):
        token = match.group(1)
        # Trim what comes before the name (…在 / …的 / …反映), unless that leaves no name
        # (泰和小区, 祥和苑: 和 is in the name).
        kind = len(_SUFFIX.search(token).group(0))
        for i in range(len(token) - 2, -1, -1):
            if token[i] in _PLACE_STOP:
                if len(token) - (i + 1) - kind >= 2:
                    token = token[i + 1 :]
                break
        token = _LEAD.sub("", token)
        if len(token) >= 3:
            found.append(token)
    return found


_SUFFIX = re.compile(
    r"(?:小区|花园|家园|公寓|新城|苑|里|村|社区|街道|大道|路|街|巷|广场|大厦|学校|中学|小学)$"
)


# What comes before a place's kind without naming it (老旧小区, 周边道路).
_GENERIC = frozenset(
    [
        "老旧",
        "周边",
        "附近",
        "所在",
        "住宅",
        "安置",
        "居民",
        "商品",
        "农村",
        "城市",
        "城区",
        "新建",
        "周围",
        "全市",
        "本市",
        "沿线",
        "主干",
    ]
)


def _stem_pairs(place: str) -> set[str]:
    """The two-character pieces of a place's name without its kind (魅力之城小区 → 魅力 力之
    之城); none for a name that names no place (老旧小区)."""
    stem = _SUFFIX.sub("", place)
    if stem in _GENERIC or len(stem) < 2:
        return set()
    return {stem[i : i + 2] for i in range(len(stem) - 1)}


class Background:
    """How many documents of a background corpus hold each word (for the key words)."""

    def __init__(self, messages: Sequence[Message] = ()):
        self.documents = len(messages)
        self.counts: Counter[str] = Counter()
        for message in messages:
            self.counts.update(_words(f"{message.title} {message.text[:300]}"))

    def idf(self, word: str) -> float:
        return math.log((1 + self.documents) / (1 + self.counts.get(word, 0))) + 1.0


EMPTY = Background()


def _groups(
    items: Sequence[Item],
    prints: Sequence[Print],
    title_prints: Sequence[Print],
    *,
    threshold: float,
    window_days: float,
) -> tuple[list[list[int]], np.ndarray]:
    x = matrix(prints)
    alike = (x @ x.T).toarray()
    np.fill_diagonal(alike, 0.0)
    if len(items) == 1:
        return [[0]], alike
    seconds = np.array([item.at.timestamp() for item in items])
    near = np.abs(seconds[:, None] - seconds[None, :]) <= window_days * 86400
    places = np.array([item.place for item in items], dtype=object)
    known = places != ""
    same_place = (places[:, None] == places[None, :]) | ~known[:, None] | ~known[None, :]
    # And the places the titles name: two titles naming unrelated places (no two characters
    # in common) are not one matter, however alike the rest.
    stems = [set().union(*map(_stem_pairs, _places_of(item.message.title))) for item in items]
    allowed = near & same_place
    titles = matrix(title_prints)
    allowed &= ((titles @ titles.T).toarray() >= TITLE_MIN) | (alike >= TEXT_ALONE)
    # (Only pairs somewhat alike: the others are far apart anyway.)
    rows, cols = np.nonzero(np.triu(allowed & (alike >= threshold / 2), 1))
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if stems[i] and stems[j] and not (stems[i] & stems[j]):
            allowed[i, j] = allowed[j, i] = False
    # Pairs that may not be one matter (too far apart in time, other places) are as far
    # apart as can be; average linkage then joins two groups only when their messages are,
    # on average, alike enough (no chains of pairwise likeness).
    distance = np.clip(np.where(allowed, 1.0 - alike, 1.0), 0.0, 1.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return list(groups.values()), alike


def hot_topics(
    items: Sequence[Item],
    prints: Sequence[Print],
    title_prints: Sequence[Print],
    *,
    now: datetime.datetime,
    background: Background = EMPTY,
    threshold: float = SAME_MATTER,
    window_days: float = WINDOW_DAYS,
    half_life_days: float = HALF_LIFE_DAYS,
    top: int = 10,
    min_size: int = 1,
) -> list[Topic]:
    """The `top` hottest topics among `items` (with the fingerprints of their title and
    text, and of their title alone), hottest first."""
    if not items:
        return []
    groups, alike = _groups(
        items, prints, title_prints, threshold=threshold, window_days=window_days
    )
    topics = []
    for members in groups:
        if len(members) < min_size:
            continue
        chosen = [items[i] for i in members]
        weights = [
            (1.0 + math.log1p(max(0, item.votes)))
            * 0.5 ** (max(0.0, (now - item.at).total_seconds()) / 86400 / half_life_days)
            for item in chosen
        ]
        people = len({item.person or f"#{item.id}" for item in chosen})
        spread = math.sqrt(people / len(chosen))
        heat = sum(weights) * spread
        topics.append((heat, members, chosen, people, spread, sum(weights)))
    topics.sort(key=lambda t: (-t[0], min(item.id for item in t[2])))
    found = []
    for heat, members, chosen, people, spread, weight in topics[:top]:
        if len(members) > 1:
            centre = members[int(np.argmax(alike[np.ix_(members, members)].sum(axis=1)))]
        else:
            centre = members[0]
        found.append(
            Topic(
                ids=[item.id for item in sorted(chosen, key=lambda i: (i.at, i.id))],
                heat=round(heat, 2),
                title=items[centre].message.title,
                keywords=_keywords(chosen, background),
                place=_common_place(chosen),
                first=min(item.at for item in chosen),
                last=max(item.at for item in chosen),
                people=people,
                votes=sum(max(0, item.votes) for item in chosen),
                parts={"weight": round(weight, 2), "spread": round(spread, 3)},
            )
        )
    return found


def _keywords(chosen: Sequence[Item], background: Background) -> list[str]:
    """Words of the titles (and, for a topic of several, of the texts' openings) found in
    at least a third of its messages, the rarer in the background the better."""
    support: Counter[str] = Counter()
    for item in chosen:
        words = _words(item.message.title)
        if len(chosen) > 1:
            words |= _words(item.message.text[:300])
        support.update(words)
    needed = 1 if len(chosen) == 1 else max(2, math.ceil(len(chosen) / 3))
    scored = sorted(
        ((n * background.idf(word), word) for word, n in support.items() if n >= needed),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return [word for _score, word in scored[:KEYWORDS]]


def _common_place(chosen: Sequence[Item]) -> str:
    named = Counter(item.place for item in chosen if item.place)
    if named:
        return named.most_common(1)[0][0]
    # From the titles: a text names many places on its way (where the writer lives, the
    # roads around), a title the one it is about.
    found = Counter(_place_of(item.message.title) for item in chosen)
    found.pop("", None)
    if not found:
        return ""
    place, n = found.most_common(1)[0]
    return place if n * 2 >= len(chosen) else ""


@functools.cache
def background_words() -> Background:
    """Word document frequencies of the shipped unlabelled messages (once per process)."""
    from zhitong.insights.data import unlabelled

    return Background(unlabelled())
