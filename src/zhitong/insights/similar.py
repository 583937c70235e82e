"""Messages about the same matter: each object's fingerprint kept (TextPrint), and the
closest of a set of candidates to a message, with their similarity.

The process chooses the candidates (open ones, in the same place, recent: what it may show
to whom) and hands their ids; insights says how alike they are. Fingerprints missing for
some candidates (made before they were kept, or loaded in bulk) are made from the texts the
process gives for them, and kept.

The thresholds were chosen on the hand-labelled pairs (data/duplicates, docs/insights.md):
at `LIKELY` nearly every pair is the same matter; at `SIMILAR` most are, and the rest are
about the same place or the same kind of problem, which a citizen or staff can tell at
a glance.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from zhitong.insights.data import background
from zhitong.insights.models import TextPrint
from zhitong.insights.router import Message
from zhitong.insights.similarity import Print, Printer, cosines, document

# Shown to a citizen typing, as "may be the same matter".
SIMILAR = 0.25
# Shown to staff as a likely duplicate (on the pairs: precision about 0.98).
LIKELY = 0.30


@dataclass(frozen=True)
class Match:
    object_id: str
    score: float

    @property
    def percent(self) -> int:
        return min(100, round(self.score * 100))


@functools.cache
def printer() -> Printer:
    """The fingerprint maker, on the shipped background corpus (counted once per process,
    a few seconds)."""
    return Printer(background())


def _digest(message: Message) -> str:
    return hashlib.sha256(document(message).encode()).hexdigest()


def _rows(process: str, found: dict[str, Message]) -> list[TextPrint]:
    ids = list(found)
    prints = printer().prints([found[i] for i in ids])
    now = timezone.now()
    return [
        TextPrint(
            process=process,
            object_id=i,
            digest=_digest(found[i]),
            blob=p.dumps(),
            created_at=now,
        )
        for i, p in zip(ids, prints, strict=True)
    ]


def print_record(*, process: str, object_id, title: str, text: str) -> None:
    """Keep (or make again, when its text changed) one object's fingerprint."""
    message = Message(title or "", text or "")
    key = str(object_id)
    kept = (
        TextPrint.objects.filter(process=process, object_id=key)
        .values_list("digest", flat=True)
        .first()
    )
    if kept == _digest(message):
        return
    TextPrint.objects.bulk_create(
        _rows(process, {key: message}),
        update_conflicts=True,
        unique_fields=["process", "object_id"],
        update_fields=["digest", "blob", "created_at"],
    )


def prints_for(
    process: str,
    object_ids: Iterable,
    texts: Callable[[list[str]], dict[str, Message]],
) -> dict[str, Print]:
    """The fingerprints of `object_ids`, made (and kept) from `texts(missing ids)` for those
    that have none."""
    ids = [str(i) for i in object_ids]
    found = {
        object_id: Print.loads(blob)
        for object_id, blob in TextPrint.objects.filter(
            process=process, object_id__in=ids
        ).values_list("object_id", "blob")
    }
    missing = [i for i in ids if i not in found]
    if missing:
        given = {str(k): v for k, v in texts(missing).items()}
        rows = _rows(process, {i: given[i] for i in missing if i in given})
        TextPrint.objects.bulk_create(rows, ignore_conflicts=True)
        found.update({row.object_id: Print.loads(row.blob) for row in rows})
    return found


def closest(
    *,
    process: str,
    message: Message,
    among: Sequence,
    texts: Callable[[list[str]], dict[str, Message]],
    at_least: float = SIMILAR,
    limit: int = 5,
) -> list[Match]:
    """The candidates `among` (ids) most like `message`, best first: at most `limit`, each
    at least `at_least` alike (cosine of fingerprints, 0–1)."""
    if not among:
        return []
    query = printer().print(message)
    prints = prints_for(process, among, texts)
    ids = [i for i in (str(a) for a in among) if i in prints]
    scores = cosines(query, [prints[i] for i in ids])
    ranked = sorted(
        (Match(i, float(s)) for i, s in zip(ids, scores, strict=True) if s >= at_least),
        key=lambda m: (-m.score, m.object_id),
    )
    return ranked[:limit]
