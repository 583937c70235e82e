"""Hot topics of the opinions (热点问题): the recent opinions a user may see, grouped by
matter, street and time and ranked by heat (insights.topics, its formula), for the
district overview and the topics page.

An opinion counts once; merged duplicates and citizens who followed one count as opinions
of its topic (they are people raising it). Opinions have no votes. The place that keeps
topics apart is the street; the communities are shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from zhitong.core.scoping import work_scope
from zhitong.insights import similar
from zhitong.insights import topics as grouping
from zhitong.insights.router import Message
from zhitong.opinions.models import Opinion, Status
from zhitong.opinions.selectors import opinions_visible_to

PROCESS = "opinions"
RECENT_DAYS = 90
# The newest opinions grouped at most (a bound on one computation: 2,000² cosines).
MAX_OPINIONS = 2000
TOP = 20
CACHE_SECONDS = 600


@dataclass
class HotTopic:
    topic: grouping.Topic
    opinions: list[Opinion]

    @property
    def communities(self) -> list[str]:
        names = [o.place.name for o in self.opinions if o.place_id]
        return sorted(set(names), key=names.index)

    @property
    def days(self) -> int:
        return (self.topic.last.date() - self.topic.first.date()).days + 1


def _person(phone: str, account_id: int | None, name: str) -> str:
    if phone:
        return f"p:{phone}"
    if account_id:
        return f"a:{account_id}"
    return f"n:{name}" if name else ""


def compute(user, *, now: datetime.datetime | None = None, top: int = TOP) -> list:
    """The `top` hottest topics (insights.topics.Topic) of the opinions `user` may see,
    received in the last RECENT_DAYS (declined ones aside)."""
    now = now or timezone.now()
    rows = list(
        opinions_visible_to(user)
        .filter(received_at__gte=now - datetime.timedelta(days=RECENT_DAYS))
        .exclude(status=Status.DECLINED)
        .order_by("-received_at", "-id")
        .values_list(
            "pk",
            "subject",
            "content",
            "received_at",
            "submitter_phone",
            "submitted_by_id",
            "submitter_name",
            "street__name",
        )[:MAX_OPINIONS]
    )
    if len(rows) < 2:
        return []
    texts = {str(row[0]): Message(row[1], row[2]) for row in rows}
    prints = similar.prints_for(PROCESS, list(texts), lambda ids: {i: texts[i] for i in ids})
    items = [
        grouping.Item(
            id=str(pk),
            message=texts[str(pk)],
            at=received_at,
            person=_person(phone, account, name),
            place=street or "",
        )
        for pk, _s, _c, received_at, phone, account, name, street in rows
        if str(pk) in prints
    ]
    titles = similar.printer().prints([Message(item.message.title, "") for item in items])
    return grouping.hot_topics(
        items,
        [prints[item.id] for item in items],
        titles,
        now=now,
        background=grouping.background_words(),
        top=top,
        min_size=2,
    )


def hot_topics(user, *, top: int = TOP) -> list[HotTopic]:
    """The hottest topics for `user`'s scope, kept CACHE_SECONDS per scope, with their
    opinions (one query)."""
    key = f"opinions:topics:{work_scope(user).cache_key}:{top}"
    found = cache.get(key)
    if found is None:
        found = compute(user, top=top)
        cache.set(key, found, CACHE_SECONDS)
    ids = [int(i) for topic in found for i in topic.ids]
    opinions = (
        opinions_visible_to(user).filter(pk__in=ids).select_related("place", "street").in_bulk()
    )
    return [
        HotTopic(topic, [opinions[int(i)] for i in topic.ids if int(i) in opinions])
        for topic in found
    ]
