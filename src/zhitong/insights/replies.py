"""How well a unit's reply answers a citizen's message: four scores with their reasons, an
aid to the staff who review replies, never a verdict on its own.

- **Relevance**: how much of what the message is about the reply takes up: the message's
  key words (rjieba; the rarer in the shipped messages, the weightier) found in the reply,
  once the reply's restatement of the message ("您反映的……问题", the title quoted) is set
  aside.
- **Completeness**: the points the message raises (its sentences that ask, request or
  question: 希望、请、要求、能否、何时、？…; the title when none does), each answered when
  the reply holds at least half of its key words. The points not answered are listed.
- **Explainability**: which of four parts the reply has: findings or reasons (经调查、
  原因…), policies or laws (《…》、规定、条例…), concrete steps (已安排、将于、责令…),
  and dates or time limits (2019年5月、10个工作日内、月底…; the date it is signed with
  does not count). The missing parts are listed.
- **Timeliness**: the reply's days against the limit: 1 within it, falling to 0 at three
  times it.

Pure Python and rjieba; no Django. The thresholds and what the scores say of real replies
are in docs/insights.md (checked against replies read by hand).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import rjieba

from zhitong.insights.topics import EMPTY, STOP_WORDS, Background

MESSAGE_WORDS = 8
POINT_WORDS = 4
MAX_POINTS = 6
# A point is answered when the reply holds at least this share of its key words.
ANSWERED = 0.5
# Below these, the score is said to be low (shown with its reasons); at or above the
# second, high.
LOW, HIGH = 0.4, 0.7

_HAN = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_MASK = re.compile(r"[A-Za-z]\d*[省市区县]")
_SENTENCES = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_ASKS = re.compile(
    r"希望|请求|恳请|请|要求|建议|呼吁|能否|可否|是否|何时|什么时候|多久|为什么|为何|怎么|"
    r"如何|哪里|谁来|吗|呢|[？?]"
)
# A reply's restatement of the message: "您反映的……问题", "您留言咨询……事项".
_RESTATED = re.compile(
    r"(?:您|你)(?:所|在)?(?:反映|留言|咨询|反应|提出|来信)(?:的|了)?[^，。,]{0,80}?"
    r"(?:问题|事项|情况|事宜|诉求|建议)"
)
# The date a reply is signed with, at its end.
_SIGNED = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*[。.]?\s*(?=$|网友|网民|尊敬|您好|你好|“)"
)

PARTS = {
    "reasons": re.compile(
        r"经(?:过)?(?:调查|核实|核查|查|了解|现场|研究|走访|排查|检测|检查)|据查|查明|核实|调查|排查|"
        r"原因|由于|因为|鉴于|据了解|属于|目前|现已|随着|根据|按照|依据|为(?:了)?(?:解决|满足|加强)"
    ),
    "policy": re.compile(
        r"《[^》]{2,40}》|规定|条例|办法|政策|文件|法律|法规|第[一二三四五六七八九十百零\d]+条|标准|细则|"
        r"[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号"
    ),
    "steps": re.compile(
        r"已(?:经|于)?[^，。；]{0,8}?(?:安排|组织|责令|责成|要求|督促|完成|整改|维修|修复|清理|拆除|处理|"
        r"派|联系|约谈|开展|协调|下达|立案|查处|更换|启动|制定|落实|召开|下发|检查|核查|开馆|建成|"
        r"纳入|争取|实施)|(?<!现)将(?:于|在|尽快|进一步|继续|组织|安排|加快|加强|派|调整|开展|实施|"
        r"推进|启动|协调|研究|督促|对|会同|联合)|正在|下一步|进一步|逐步|责令|责成|督促|限期|整改|"
        r"拟|计划|派遣|派出|勘察|勘查|巡查|巡视|清查|整治|召开|下发|突袭|劝导|宣传|安装|抓获|约谈|"
        r"请您|建议您|可(?:携带|前往|拨打|登录|通过|向)"
    ),
    "dates": re.compile(
        r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月(?:份|底|初|中旬|下旬|上旬)|"
        r"\d{4}\s*年\s*(?:底|内|上半年|下半年|\d{1,2}\s*月)|\d+\s*个?(?:工作)?日内|"
        r"\d+\s*(?:天|周|个月)内|月底|年底|年内|今年|明年|春节前|(?:月|年)(?:底|内)前|中旬前|上半年|下半年"
    ),
}


@dataclass
class Quality:
    relevance: float
    completeness: float
    explainability: float
    timeliness: float | None
    # What the message raised that the reply does not take up (the points' own words).
    unanswered: list[str] = field(default_factory=list)
    points: int = 0
    # Which of PARTS the reply has, and which it lacks.
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    days: float | None = None
    limit_days: float | None = None
    # The message's key words the reply does not hold.
    missed_words: list[str] = field(default_factory=list)

    @staticmethod
    def level(score: float | None) -> str:
        if score is None:
            return ""
        return "high" if score >= HIGH else "low" if score < LOW else "medium"

    def levels(self) -> dict[str, str]:
        return {
            "relevance": self.level(self.relevance),
            "completeness": self.level(self.completeness),
            "explainability": self.level(self.explainability),
            "timeliness": self.level(self.timeliness),
        }


def _words(text: str) -> list[str]:
    text = _MASK.sub("，", text or "")
    seen: dict[str, None] = {}
    for word in rjieba.cut(text):
        if _HAN.match(word) and word not in STOP_WORDS:
            seen.setdefault(word, None)
    return list(seen)


def _key_words(
    text: str, background: Background, limit: int, *, title: str = ""
) -> list[tuple[str, float]]:
    """The words that say what `text` is about, with their weights: those of the title and
    those the text repeats count double; rarer words weigh more (√idf: a rare flourish must
    not outweigh the matter's plain nouns)."""
    in_title = set(_words(title))
    counts: dict[str, int] = {}
    for word in rjieba.cut(_MASK.sub("，", text or "")):
        if _HAN.match(word) and word not in STOP_WORDS:
            counts[word] = counts.get(word, 0) + 1
    for word in in_title:
        counts.setdefault(word, 1)
    scored = sorted(
        (
            (
                math.sqrt(background.idf(w)) * (2.0 if w in in_title or n > 1 else 1.0),
                w,
            )
            for w, n in counts.items()
        ),
        key=lambda p: (-p[0], p[1]),
    )
    return [(w, s) for s, w in scored[:limit]]


def _held(word: str, body: str) -> bool:
    """Whether the reply takes up the word: the word itself, or (for a longer word) most
    of its two-character pieces (停靠站 / 站点)."""
    if word in body:
        return True
    if len(word) < 3:
        return False
    pieces = [word[i : i + 2] for i in range(len(word) - 1)]
    return sum(p in body for p in pieces) * 2 > len(pieces)


def points_of(title: str, text: str) -> list[str]:
    """The sentences of a message that ask something (at most MAX_POINTS, the first ones);
    the title when none does."""
    found = []
    for match in _SENTENCES.finditer(_MASK.sub("", text or "")):
        sentence = match.group(0).strip()
        if len(sentence) >= 6 and _ASKS.search(sentence) and _words(sentence):
            found.append(sentence)
    if not found and title.strip():
        found = [title.strip()]
    return found[:MAX_POINTS]


def _body(reply: str, title: str) -> str:
    """The reply without its restatement of the message and its signing date."""
    body = _SIGNED.sub("", (reply or "").strip())
    body = _RESTATED.sub("", body)
    if len(title.strip()) >= 4:
        body = body.replace(title.strip(), "")
    return body


def timeliness(days: float | None, limit_days: float | None) -> float | None:
    if days is None or not limit_days:
        return None
    if days <= limit_days:
        return 1.0
    return max(0.0, 1.0 - (days - limit_days) / (2 * limit_days))


def assess(
    *,
    title: str,
    text: str,
    reply: str,
    days: float | None = None,
    limit_days: float | None = None,
    background: Background = EMPTY,
) -> Quality:
    """The four scores (0–1) of `reply` to the message, with their reasons."""
    body = _body(reply, title)
    key = _key_words(f"{title}。{text}", background, MESSAGE_WORDS, title=title)
    total = sum(weight for _w, weight in key)
    held = [w for w, _s in key if _held(w, body)]
    relevance = (
        sum(weight for w, weight in key if w in held) / total if total else (1.0 if body else 0.0)
    )

    points = points_of(title, text)
    unanswered = []
    for point in points:
        words = [w for w, _s in _key_words(point, background, POINT_WORDS)]
        if words and sum(_held(w, body) for w in words) / len(words) < ANSWERED:
            unanswered.append(point)
    completeness = 1.0 - len(unanswered) / len(points) if points else 1.0

    present = [name for name, pattern in PARTS.items() if pattern.search(body)]
    return Quality(
        relevance=round(relevance, 3),
        completeness=round(completeness, 3),
        explainability=len(present) / len(PARTS),
        timeliness=timeliness(days, limit_days),
        unanswered=unanswered,
        points=len(points),
        present=present,
        missing=[name for name in PARTS if name not in present],
        days=None if days is None else round(days, 1),
        limit_days=limit_days,
        missed_words=[w for w, _s in key if w not in held],
    )


def correlation(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties)."""

    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        found = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                found[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return found

    a, b = ranks(xs), ranks(ys)
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    sa = math.sqrt(sum((x - ma) ** 2 for x in a))
    sb = math.sqrt(sum((y - mb) ** 2 for y in b))
    return cov / (sa * sb) if sa and sb else float("nan")
