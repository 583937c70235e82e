"""Finding opinions in the work queue: Chinese text search, filters, sort and keyset pagination.

Search (检索). Chinese has no spaces, and a word segmenter (rjieba) does not always cut a
text and a query the same way ("路灯不亮" becomes 路 | 灯不亮, while the query "路灯" stays
one word). So the search document (`Opinion.search_text`, see `search_document`) holds the
segmenter's words AND the two-character shingles of every run of Chinese characters, and a
query word matches when the word itself is there or all of its shingles are. On PostgreSQL
that is a full-text query (config 'simple', prefix lexemes) on
`to_tsvector('simple', search_text)`; elsewhere (SQLite) AND-ed `icontains` on the same terms.

Pagination is by keyset: a cursor holds the sort key of the last (or first) row shown,
so a deep page costs what the first page costs (no OFFSET).
"""

from __future__ import annotations

import base64
import datetime
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_

import rjieba
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhitong.handling.models import Assignment, Rating
from zhitong.opinions.models import CLOSED_STATUSES, OPEN_STATUSES, Opinion

# --- the search document and the query ------------------------------------------------

# A run of CJK ideographs (basic block and extension A, and compatibility ideographs).
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# What splits a term: terms keep letters, digits and CJK only, so punctuation never
# reaches a tsquery.
_NON_WORD = re.compile(r"[\W_]+")
# A long pasted query would make a huge SQL statement; the first words are what matter.
MAX_QUERY_TERMS = 12
SEARCH_CONFIG = "simple"


def _words(tokens) -> list[str]:
    """Segmenter tokens as searchable words: split at punctuation ("wi-fi" -> "wi", "fi")."""
    words = []
    for token in tokens:
        words.extend(piece for piece in _NON_WORD.split(token) if piece)
    return words


def _shingles(run: str) -> list[str]:
    """Two-character shingles of a CJK run, starting at each character (the last is single),
    so that every character starts some lexeme and a one-character query matches by prefix."""
    return [run[i : i + 2] for i in range(len(run))]


def search_document(*parts: str) -> str:
    """The text to store in `Opinion.search_text` for the given parts (subject, content).

    Lower-cased segmenter words, then the shingles of each CJK run, each once, separated
    by spaces (the 'simple' parser splits on spaces and keeps each word as a lexeme).
    """
    seen: dict[str, None] = {}
    for part in parts:
        text = (part or "").lower()
        for word in _words(rjieba.cut_for_search(text)):
            seen.setdefault(word, None)
        for run in _CJK_RUN.findall(text):
            for shingle in _shingles(run):
                seen.setdefault(shingle, None)
    return " ".join(seen)


def query_terms(query: str) -> list[str]:
    """The words of a search query, segmented by rjieba, without punctuation or repeats."""
    terms = dict.fromkeys(_words(rjieba.cut((query or "").lower())))
    return list(terms)[:MAX_QUERY_TERMS]


def _term_alternatives(term: str) -> tuple[str, list[str]]:
    """A term, and the shingles that stand for it when the segmenter cut the text elsewhere."""
    if _CJK_RUN.fullmatch(term) and len(term) > 2:
        return term, [term[i : i + 2] for i in range(len(term) - 1)]
    return term, []


def _tsquery(terms: list[str]) -> str:
    # Terms hold no punctuation (see _words), so quoting them cannot break out of a lexeme.
    parts = []
    for term in terms:
        word, shingles = _term_alternatives(term)
        alternative = f"'{word}':*"
        if shingles:
            alternative = "(" + alternative + " | (" + " & ".join(f"'{s}'" for s in shingles) + "))"
        parts.append(alternative)
    return " & ".join(parts)


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def search_opinions(opinions: QuerySet[Opinion], query: str) -> QuerySet[Opinion]:
    """`opinions` narrowed to those matching the Chinese text `query` (all words must match).

    A query that looks like a tracking code (查询码) also finds that opinion by its code.
    """
    query = (query or "").strip()
    terms = query_terms(query)
    if not terms:
        return opinions
    if _is_postgresql():
        # The same expression as the GIN index asked for in the report, so it can be used.
        text_match = Q(
            _search_vector=SearchQuery(_tsquery(terms), config=SEARCH_CONFIG, search_type="raw")
        )
        opinions = opinions.alias(_search_vector=SearchVector("search_text", config=SEARCH_CONFIG))
    else:
        conditions = []
        for term in terms:
            word, shingles = _term_alternatives(term)
            condition = Q(search_text__icontains=word)
            if shingles:
                condition |= reduce(and_, (Q(search_text__icontains=s) for s in shingles))
            conditions.append(condition)
        text_match = reduce(and_, conditions)
    codes = tracking_code_candidates(query)
    if codes:
        text_match |= Q(tracking_code__in=codes)
    return opinions.filter(text_match)


def tracking_code_candidates(text: str) -> set[str]:
    """The stored forms a typed tracking code (查询码) may have: the canonical grouped form
    ("k7qx 9mpa 3r" -> "K7QX-9MPA-3R") and, for older or imported codes, the text as typed."""
    from zhitong.opinions.tracking import normalize_code

    text = (text or "").strip()
    codes = set()
    canonical = normalize_code(text)
    if canonical:
        codes.add(canonical)
    if re.fullmatch(r"[A-Za-z0-9-]{4,16}", text):
        codes |= {text, text.upper()}
    return codes


# --- filters ---------------------------------------------------------------------------

# Assignment states in which the unit still owes its reply: the deadline runs.
RUNNING_STATES = [Assignment.State.PENDING, Assignment.State.ACCEPTED]
# Assignment states that no longer tie the opinion to a unit.
INACTIVE_STATES = [Assignment.State.RETURNED, Assignment.State.WITHDRAWN]

STATUS_OPEN = "open"
STATUS_CLOSED = "closed_all"

DEADLINE_OVERDUE = "overdue"
DEADLINE_VERY_OVERDUE = "very_overdue"

# The groups the statistics count as "未填写" (no category, street or station).
MISSING_FIELDS = ("category", "street", "station")

# What the statistics count of the opinions of a group, beyond received and closed: those
# closed on time, those rated, those rated satisfied (see opinions.stats).
OUTCOME_ON_TIME = "on_time"
OUTCOME_RATED = "rated"
OUTCOME_SATISFIED = "satisfied"
OUTCOME_DEFAULT = "closed_default"
# The lead referral the figures read: the current one (a returned or withdrawn one is not).
LEAD_STATES = [Assignment.State.PENDING, Assignment.State.ACCEPTED, Assignment.State.REPLIED]
SATISFIED_SCORES = [Rating.Score.SATISFIED, Rating.Score.BASICALLY]
GIVEN_SCORES = [Rating.Score.SATISFIED, Rating.Score.BASICALLY, Rating.Score.UNSATISFIED]

SORT_NEWEST = "newest"
SORT_OLDEST = "oldest"
SORT_DUE = "due"


def overdue_q(today: datetime.date) -> Q:
    """Opinions whose lead unit still owes its reply after the stored due date (超期).

    Reads Opinion.open_due_date (the running lead referral's due date, kept by
    deadlines.sync_open_due_date), so the (district, open_due_date) index finds them
    instead of a walk over the newest opinions, which cannot be overdue yet.
    """
    return Q(open_due_date__lt=today)


def very_overdue_q(today: datetime.date) -> Q:
    """Opinions whose lead unit is late by at least the working days allowed (严重超期:
    twice the time in all, extensions included).

    Reads Opinion.open_very_overdue_from, the first day on which the running lead referral
    counts as very overdue (computed with its due date on the working-day calendar, see
    deadlines.very_overdue_from), so this is one indexed comparison with today: no
    calendar arithmetic per query and no look at the referrals.
    """
    return Q(open_very_overdue_from__lte=today)


def with_planner_hint(opinions: QuerySet[Opinion], user) -> QuerySet[Opinion]:
    """`opinions` (already scoped to `user`) with the user's own district or street repeated
    as a literal condition.

    The scope reaches the opinions through a subquery on region paths, which PostgreSQL
    estimates at a fraction of a row; it then sorts every row past a deep cursor instead of
    walking the (district, received_at, id) index. The literal id is redundant (the scope
    already holds it), so it can only help the plan, never change the rows.
    """
    from zhitong.regions.models import RegionLevel

    if not getattr(user, "is_region_scoped", False) or user.is_superuser or not user.region_id:
        return opinions
    level = user.region.level
    if level == RegionLevel.DISTRICT:
        return opinions.filter(district_id=user.region_id)
    if level == RegionLevel.STREET:
        return opinions.filter(street_id=user.region_id)
    return opinions


def _current_lead(**conditions) -> Exists:
    """The opinion's current lead referral (at most one) matches `conditions`."""
    # By the case: `opinion=OuterRef("pk")` would compare the assignment's case id with
    # the opinion's own id (the relation joins on the shared case column).
    leads = Assignment.objects.filter(
        case_id=OuterRef("case_id"), role=Assignment.Role.LEAD, state__in=LEAD_STATES
    )
    return Exists(leads.alias(replied_on=_local_date("replied_at")).filter(**conditions))


def _local_date(name: str) -> TruncDate:
    return TruncDate(name, tzinfo=timezone.get_current_timezone())


def outcome_q(outcome: str) -> Q:
    """The opinions of an outcome, by the statistics' definitions (opinions.stats): closed on
    time (closed, referred, the current lead unit replied on or before its due date, local
    dates), rated by a person, rated 满意 or 基本满意 (an opinion rated twice counts once
    either way), closed by the system as nobody rated it (默认满意)."""
    if outcome == OUTCOME_ON_TIME:
        return Q(status__in=CLOSED_STATUSES) & Q(
            _current_lead(due_date__isnull=False, replied_on__lte=F("due_date"))
        )
    ratings = Rating.objects.filter(case_id=OuterRef("case_id"))
    if outcome == OUTCOME_RATED:
        return Q(Exists(ratings.filter(score__in=GIVEN_SCORES)))
    if outcome == OUTCOME_DEFAULT:
        return Q(Exists(ratings.filter(score=Rating.Score.DEFAULT)))
    if outcome == OUTCOME_SATISFIED:
        return Q(Exists(ratings.filter(score__in=SATISFIED_SCORES)))
    return Q()


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class QueueFilter:
    """The queue's filters, as cleaned by the filter form (every field optional)."""

    q: str = ""
    status: str = ""
    category: object = None
    channel: str = ""
    street: object = None
    station: object = None
    unit: object = None
    deadline: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    # The filters the statistics' figures link with (each figure lists exactly the opinions
    # it counts): the category without its second-level ones, a group left empty, the
    # current lead unit, and what became of the opinions.
    category_only: bool = False
    missing: str = ""
    lead_unit: object = None
    outcome: str = ""
    sort: str = ""  # as chosen; empty for the default (see `order`)
    today: datetime.date | None = None

    @classmethod
    def from_cleaned(cls, data: dict) -> QueueFilter:
        known = {f for f in cls.__dataclass_fields__ if f != "today"}
        return cls(**{k: v for k, v in data.items() if k in known and v not in (None, "")})

    @property
    def order(self) -> str:
        """The sort to use: the one chosen; else, with a deadline filter, the due date
        (most overdue first: what an office works through, and the order the
        (district, open_due_date, id) index gives, so the page does not walk past the
        recent opinions that cannot be overdue yet); else newest first."""
        if self.sort:
            return self.sort
        if self.deadline:
            return SORT_DUE
        return SORT_NEWEST

    @property
    def is_filtered(self) -> bool:
        return any(
            [
                self.q,
                self.status,
                self.category,
                self.channel,
                self.street,
                self.station,
                self.unit,
                self.deadline,
                self.date_from,
                self.date_to,
                self.missing,
                self.lead_unit,
                self.outcome,
            ]
        )


def apply_filters(opinions: QuerySet[Opinion], flt: QueueFilter) -> QuerySet[Opinion]:
    """`opinions` narrowed by the queue filters (the scope is the caller's business)."""
    today = flt.today or timezone.localdate()
    if flt.status == STATUS_OPEN:
        opinions = opinions.filter(status__in=OPEN_STATUSES)
    elif flt.status == STATUS_CLOSED:
        opinions = opinions.filter(status__in=CLOSED_STATUSES)
    elif flt.status:
        opinions = opinions.filter(status=flt.status)
    if flt.category is not None and flt.category_only:
        opinions = opinions.filter(category=flt.category)
    elif flt.category is not None:
        # A top-level subject takes in its second-level subjects.
        opinions = opinions.filter(Q(category=flt.category) | Q(category__parent=flt.category))
    if flt.missing in MISSING_FIELDS:
        opinions = opinions.filter(**{f"{flt.missing}__isnull": True})
    if flt.lead_unit is not None:
        opinions = opinions.filter(_current_lead(unit=flt.lead_unit))
    if flt.outcome:
        opinions = opinions.filter(outcome_q(flt.outcome))
    if flt.channel:
        opinions = opinions.filter(channel=flt.channel)
    if flt.street is not None:
        opinions = opinions.filter(street=flt.street)
    if flt.station is not None:
        opinions = opinions.filter(station=flt.station)
    if flt.unit is not None:
        opinions = opinions.filter(
            Exists(
                Assignment.objects.filter(case_id=OuterRef("case_id"), unit=flt.unit).exclude(
                    state=Assignment.State.WITHDRAWN
                )
            )
        )
    if flt.deadline == DEADLINE_OVERDUE:
        opinions = opinions.filter(overdue_q(today))
    elif flt.deadline == DEADLINE_VERY_OVERDUE:
        opinions = opinions.filter(very_overdue_q(today))
    if flt.date_from:
        opinions = opinions.filter(received_at__gte=_local_midnight(flt.date_from))
    if flt.date_to:
        opinions = opinions.filter(
            received_at__lt=_local_midnight(flt.date_to + datetime.timedelta(days=1))
        )
    if flt.q:
        opinions = search_opinions(opinions, flt.q)
    return opinions


# --- sort and keyset pagination ---------------------------------------------------------


def with_running_lead(opinions: QuerySet[Opinion]) -> QuerySet[Opinion]:
    """Only the opinions whose lead unit still owes its reply: those with a due date in
    Opinion.open_due_date (the running lead referral's, kept by
    deadlines.sync_open_due_date), which is the key of the due-date order.

    A column of the opinion, not a join to the referrals, so the order is an index: the
    (district, open_due_date, id) one for district staff (with_planner_hint names the
    district), the partial (open_due_date, id) one for other queues. For district staff the
    first page reads a page of rows; a later one also steps over the rows of its cursor's
    due date that come before the cursor (see _after: the range is on the date alone).
    """
    return opinions.filter(open_due_date__isnull=False)


@dataclass(frozen=True)
class Cursor:
    """The sort key of a row: where the next or previous page starts (exclusive)."""

    key: datetime.date  # a datetime for the received sorts, a date for the due sort
    pk: int

    def encode(self) -> str:
        if isinstance(self.key, datetime.datetime):
            key = self.key.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S.%f")
        else:
            key = self.key.strftime("%Y%m%d")
        raw = f"{key}~{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: str) -> Cursor | None:
        """The cursor in `token`, or None when it is malformed or made for another sort."""
        try:
            padded = token + "=" * (-len(token) % 4)
            key, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("~")
            pk = int(pk)
            if sort == SORT_DUE:
                value = datetime.datetime.strptime(key, "%Y%m%d").date()
            else:
                value = datetime.datetime.strptime(key, "%Y%m%dT%H%M%S.%f").replace(
                    tzinfo=datetime.UTC
                )
        except (ValueError, TypeError, UnicodeDecodeError):
            return None
        return cls(value, pk)


def _order(sort: str, backwards: bool) -> list:
    if sort == SORT_OLDEST:
        fields = ["received_at", "id"]
    elif sort == SORT_DUE:
        fields = ["open_due_date", "id"]
    else:
        fields = ["-received_at", "-id"]
    if backwards:
        fields = [f[1:] if f.startswith("-") else "-" + f for f in fields]
    return fields


def _after(sort: str, cursor: Cursor, backwards: bool) -> Q:
    """Rows strictly after `cursor` in the sort order (before it when `backwards`)."""
    key = "open_due_date" if sort == SORT_DUE else "received_at"
    ascending = sort != SORT_NEWEST
    if backwards:
        ascending = not ascending
    # The plain range condition first lets the database walk the index from the cursor.
    if ascending:
        return Q(**{f"{key}__gte": cursor.key}) & (
            Q(**{f"{key}__gt": cursor.key}) | Q(**{key: cursor.key, "id__gt": cursor.pk})
        )
    return Q(**{f"{key}__lte": cursor.key}) & (
        Q(**{f"{key}__lt": cursor.key}) | Q(**{key: cursor.key, "id__lt": cursor.pk})
    )


def ordered(opinions: QuerySet[Opinion], sort: str = SORT_NEWEST) -> QuerySet[Opinion]:
    """`opinions` in the queue's `sort` order (for the export: every row, no cursor)."""
    if sort == SORT_DUE:
        opinions = with_running_lead(opinions)
    return opinions.order_by(*_order(sort, backwards=False))


def cursor_for(opinion: Opinion, sort: str = SORT_NEWEST) -> Cursor:
    if sort == SORT_DUE:
        return Cursor(opinion.open_due_date, opinion.pk)
    return Cursor(opinion.received_at, opinion.pk)


@dataclass
class KeysetPage:
    """One page of a keyset-paginated list, with the cursors of its neighbours."""

    rows: list = field(default_factory=list)
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)


def keyset_page(
    opinions: QuerySet[Opinion],
    *,
    sort: str = SORT_NEWEST,
    after: str = "",
    before: str = "",
    size: int = 25,
) -> KeysetPage:
    """A page of `opinions` in `sort` order after (or before) a cursor; one query.

    A malformed cursor shows the first page rather than an error: cursors live in
    bookmarkable URLs and should fail soft.
    """
    if sort == SORT_DUE:
        opinions = with_running_lead(opinions)
    cursor = None
    backwards = False
    if before:
        cursor = Cursor.decode(before, sort)
        backwards = cursor is not None
    if cursor is None and after:
        cursor = Cursor.decode(after, sort)
    if cursor is not None:
        opinions = opinions.filter(_after(sort, cursor, backwards))
    rows = list(opinions.order_by(*_order(sort, backwards))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    page = KeysetPage(rows=rows)
    if not rows:
        return page
    first, last = cursor_for(rows[0], sort), cursor_for(rows[-1], sort)
    if backwards:
        page.next_cursor = last.encode()
        page.previous_cursor = first.encode() if more else ""
    else:
        page.next_cursor = last.encode() if more else ""
        page.previous_cursor = first.encode() if cursor is not None else ""
    return page
