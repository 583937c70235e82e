"""Opinions about the same matter (insights.similar): the open ones nearby shown to a
citizen while they write, so they can follow one instead of writing again; and the likely
duplicates of an opinion shown to staff on its case page, to merge in one click.

Opinions choose the candidates (open, not merged, received in the last year, nearby: of the
same community, else street, else district; the newest `CANDIDATES` of them, and for staff
only those they may open);
insights says how alike they are. What a citizen sees of another's opinion is what a
merged duplicate's submitter sees of its main one: the subject (long runs of digits
hidden), its community, the day it came in and its status; never the text, the address
or who wrote it.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from zhitong.insights import similar
from zhitong.insights.router import Message
from zhitong.opinions import lifecycle
from zhitong.opinions.models import OPEN_STATUSES, Opinion, Status
from zhitong.regions.models import Region, RegionLevel

PROCESS = "opinions"
# The newest open opinions looked at for one message: a bound on the work of each request.
CANDIDATES = 500
WITHIN = datetime.timedelta(days=365)
# A citizen sees at most this many; staff this many.
SHOWN_PUBLIC = 3
SHOWN_STAFF = 5
# Fewer characters than this (title and text) say too little to compare.
MIN_CHARS = 6
# What a hint compares of the text being typed (the start of a message says what it is about).
READ_SUBJECT = 100
READ_CONTENT = 1000
FOLLOW_SALT = "zhitong.opinions.follow"
# A hint's follow button stays good for this long (a form left open over a weekend).
FOLLOW_MAX_AGE = 3 * 24 * 3600
logger = logging.getLogger("zhitong.opinions.duplicates")
_DIGITS = re.compile(r"\d{5,}")


def masked(subject: str) -> str:
    """A subject as shown to other citizens: runs of five or more digits (phone and ID
    numbers, house numbers that name someone) hidden."""
    return _DIGITS.sub("***", subject or "")


@dataclass(frozen=True)
class Similar:
    opinion: Opinion
    score: float
    # For a citizen: the signed reference their form sends to follow it.
    ref: str = ""

    @property
    def percent(self) -> int:
        return min(100, round(self.score * 100))

    @property
    def public_subject(self) -> str:
        return masked(self.opinion.subject)


def _open(district_id: int, *, since: datetime.datetime):
    return Opinion.objects.filter(
        district_id=district_id,
        status__in=OPEN_STATUSES,
        merged_into__isnull=True,
        received_at__gte=since,
    )


def _nearby(candidates, *, place: Region | None, street: Region | None):
    """Nearby: the same community when the place is one, else the same street, else the
    whole district. (Two opinions of different communities with the same words are, in
    practice, the same kind of problem in two places, not the same matter.)"""
    if place is not None and place.level == RegionLevel.COMMUNITY:
        return candidates.filter(place=place)
    if place is not None and place.level == RegionLevel.STREET:
        return candidates.filter(street=place)
    if street is not None:
        return candidates.filter(street=street)
    return candidates


def _texts(ids: list[str]) -> dict[str, Message]:
    return {
        str(pk): Message(subject, content)
        for pk, subject, content in Opinion.objects.filter(pk__in=ids).values_list(
            "pk", "subject", "content"
        )
    }


def _closest(message: Message, candidates, *, at_least: float, limit: int) -> list[tuple]:
    ids = list(candidates.order_by("-received_at", "-id").values_list("pk", flat=True)[:CANDIDATES])
    matches = similar.closest(
        process=PROCESS, message=message, among=ids, texts=_texts, at_least=at_least, limit=limit
    )
    if not matches:
        return []
    found = (
        Opinion.objects.filter(pk__in=[m.object_id for m in matches])
        .select_related("place")
        .annotate(followers=Count("duplicates", filter=Q(duplicates__status=Status.MERGED)))
    )
    by_id = {str(o.pk): o for o in found}
    return [(by_id[m.object_id], m.score) for m in matches if m.object_id in by_id]


def print_after_commit(opinion: Opinion) -> None:
    """Keep the new opinion's fingerprint once it is written (a failure is logged; the
    fingerprint is made the first time the opinion is a candidate)."""
    pk, subject, content = opinion.pk, opinion.subject, opinion.content
    transaction.on_commit(lambda: record_print(pk, subject, content))


def record_print(pk: int, subject: str, content: str) -> None:
    try:
        similar.print_record(process=PROCESS, object_id=pk, title=subject, text=content)
    except Exception:  # the opinion is safe; its fingerprint is made when first needed
        logger.exception("fingerprinting opinion %s failed", pk)


# --- for a citizen writing ------------------------------------------------------------------


def follow_ref(opinion: Opinion) -> str:
    return signing.dumps(opinion.pk, salt=FOLLOW_SALT, compress=True)


def followed(ref: str) -> int | None:
    """The opinion id a follow button named, if the reference is good and recent."""
    try:
        value = signing.loads(ref or "", salt=FOLLOW_SALT, max_age=FOLLOW_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def for_citizen(
    *,
    district: Region,
    place: Region | None,
    street: Region | None,
    subject: str,
    content: str,
) -> list[Similar]:
    """Open opinions nearby (`_nearby`: the community, else the street, else the district)
    like the one being written, best first."""
    subject = (subject or "").strip()[:READ_SUBJECT]
    content = (content or "").strip()[:READ_CONTENT]
    if len(subject) + len(content) < MIN_CHARS:
        return []
    candidates = _nearby(
        _open(district.pk, since=timezone.now() - WITHIN), place=place, street=street
    )
    found = _closest(
        Message(subject, content),
        candidates,
        at_least=similar.SIMILAR,
        limit=SHOWN_PUBLIC,
    )
    return [Similar(opinion, score, follow_ref(opinion)) for opinion, score in found]


# --- for staff on a case page -----------------------------------------------------------------


def for_staff(opinion: Opinion, visible) -> list[Similar]:
    """Open opinions nearby (`_nearby`) like this one that the user may open (`visible`),
    best first: likely duplicates of it (it is not among them, nor are those merged)."""
    candidates = _nearby(
        _open(opinion.district_id, since=opinion.received_at - WITHIN)
        .exclude(pk=opinion.pk)
        .filter(pk__in=visible.values("pk")),
        place=opinion.place,
        street=opinion.street,
    )
    found = _closest(
        Message(opinion.subject, opinion.content),
        candidates,
        at_least=similar.LIKELY,
        limit=SHOWN_STAFF,
    )
    return [Similar(other, score) for other, score in found]


def may_be_main(opinion: Opinion) -> bool:
    """Whether an opinion can take others merged into it (open, not merged or declined)."""
    return (
        opinion.merged_into_id is None
        and opinion.status in OPEN_STATUSES
        and opinion.status not in lifecycle.FINAL_CLOSED
    )
