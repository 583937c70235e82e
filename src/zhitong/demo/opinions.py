"""Demo opinions (演示意见): half a year of the demo district's direct line, lived through the services.

Wuchang collected 528 opinions in the first half of a year and closed 430 (domain.md,
"Figures"). This module builds as many for the first demo district, received over the six
months before the seed date, each taken along a realistic path (referred, answered,
rated; declined; merged; returned by a unit; sent back after an unsatisfied rating;
still open in every status).

Nothing here writes an opinion, referral, reply, rating or event itself. Each step of each
opinion is a call to the real intake and services (zhitong.opinions.intake and .services),
signed by the demo accounts or by generated staff and unit accounts, made at its own
moment of the half year: the clock is moved there with time-machine. All steps of all
opinions run in time order, with the scheduled deadline check (deadlines_record_passings)
after each midnight, so timelines, due dates on the working-day calendar, overdue cases
and statistics come out as real use leaves them.

What an opinion is (code, words, place, path) is drawn from random streams seeded with
the district code, so two builds give the same opinions; when things happened depends on
the seed date as well. The moments are planned before anything is written: an open case
meant to be overdue today must be received early enough, and every path must end before
now. The plan reads the working-day calendar for that; the services compute the real due
dates, and the build stops if the two ever disagree.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import logging
import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone, translation

from zhitong.accounts.models import Role, User
from zhitong.demo import opinion_texts as texts
from zhitong.demo import people, places
from zhitong.demo.accounts import DEMO_USERNAMES
from zhitong.deputies.models import Deputy
from zhitong.handling import services as handling_services
from zhitong.handling.models import Rating
from zhitong.opinions import intake, selectors, services, tracking
from zhitong.opinions.models import (
    AUTO_CLOSE_DEFAULT,
    Channel,
    DeclineReason,
    IntakeSession,
    Opinion,
    Status,
)
from zhitong.opinions.tracking import ALPHABET, LENGTH, format_code
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import Station, StationAssignment, StationKind
from zhitong.units.models import (
    Category,
    CategoryRoute,
    HandlingUnit,
    UnitKind,
    deadline_days_for,
    route_for,
)
from zhitong.workdays.selectors import working_calendar

logger = logging.getLogger(__name__)

SEED = "zhitong-demo-opinions-v1"
HALF_YEAR_DAYS = 182
# The scheduled deadline check (handling_check_deadlines) runs after midnight.
DEADLINE_CHECK_TIME = datetime.time(0, 30)
# The demo street gets this many times its share, so the demo street, liaison, deputy
# and unit accounts each see a good number of cases.
DEMO_STREET_WEIGHT = 3
DEMO_STATION_WEIGHT = 25
GENERATED_STAFF = 2
# Ratings the reviewer took by phone (电话回访) rather than the submitter online.
PHONE_SHARE = 0.15

SATISFIED, BASICALLY, UNSATISFIED = (
    Rating.Score.SATISFIED,
    Rating.Score.BASICALLY,
    Rating.Score.UNSATISFIED,
)
OK = "ok"  # satisfied or basically satisfied, drawn per opinion


@dataclass(frozen=True)
class Path:
    """How an opinion goes: the steps it takes and the status it stops in."""

    name: str
    count: int
    final: str
    scores: tuple[str, ...] = ()  # the ratings it gets, in order
    spot: bool = False  # answered on the spot by the deputy (现场答复)
    co_unit: bool = False  # a co-unit (协办) besides the lead
    returned: bool = False  # the first unit returned it (退回), then referred again
    extension: str = ""  # "approved" or "pending" (延期)
    overdue: bool = False  # open past its due date
    very_overdue: bool = False  # late by the working days it had as well (严重超期)
    merge: bool = False  # a duplicate merged into a main opinion (合并)
    # Nobody rates the reply sent: the daily check closes it as 默认满意 after the
    # district's working days (handling.services.replies_close_unrated).
    unrated: bool = False
    # Days before the seed date it was received, for open ones: (earliest, latest).
    age: tuple[float, float] | None = None


# 528 collected, 430 closed (closed + closed_unsatisfied), every status present.
PATHS: tuple[Path, ...] = (
    Path("closed", 355, Status.CLOSED, (OK,)),
    Path("closed_default", 12, Status.CLOSED, unrated=True),
    Path("closed_spot", 24, Status.CLOSED, (OK,), spot=True),
    Path("closed_co", 10, Status.CLOSED, (OK,), co_unit=True),
    Path("closed_extended", 5, Status.CLOSED, (OK,), extension="approved"),
    Path("closed_returned", 6, Status.CLOSED, (OK,), returned=True),
    Path("closed_rework", 8, Status.CLOSED, (UNSATISFIED, OK)),
    Path("closed_unsatisfied", 6, Status.CLOSED_UNSATISFIED, (UNSATISFIED, UNSATISFIED)),
    Path("closed_duplicate", 4, Status.CLOSED, merge=True),
    Path("declined", 18, Status.DECLINED),
    Path("merged", 3, Status.MERGED, merge=True),
    Path("received", 10, Status.RECEIVED, age=(0.1, 3)),
    Path("accepted", 7, Status.ACCEPTED, age=(1, 5)),
    Path("referred", 10, Status.REFERRED, age=(1.5, 6)),
    Path("handling", 14, Status.HANDLING, age=(4, 16)),
    Path("handling_overdue", 6, Status.HANDLING, overdue=True, age=(30, 60)),
    Path(
        "handling_very_overdue", 2, Status.HANDLING, overdue=True, very_overdue=True, age=(60, 110)
    ),
    Path("handling_extension", 1, Status.HANDLING, extension="pending", age=(17, 24)),
    Path("handling_extended", 1, Status.HANDLING, extension="approved", age=(15, 22)),
    Path("handling_rework", 2, Status.HANDLING, (UNSATISFIED,), age=(22, 40)),
    Path("replied", 8, Status.REPLIED, age=(8, 22)),
    Path("replied_spot", 1, Status.REPLIED, spot=True, age=(0.5, 3)),
    Path("sent", 15, Status.SENT, age=(10, 30)),
)
COLLECTED = sum(p.count for p in PATHS)
CLOSED = sum(p.count for p in PATHS if p.final in (Status.CLOSED, Status.CLOSED_UNSATISFIED))
DECLINE_REASONS = (
    [DeclineReason.OUT_OF_SCOPE] * 11 + [DeclineReason.DUPLICATE] * 5 + [DeclineReason.ABUSIVE] * 2
)

# (kind, how many, opinions each: min, max); 18 half-month talks in half a year.
SESSIONS = (
    (IntakeSession.Kind.HALF_MONTH_TALK, 18, 3, 5),
    (IntakeSession.Kind.NIGHT_TALK, 3, 2, 4),
    (IntakeSession.Kind.LIVESTREAM, 1, 5, 6),
)
# A night talk in the demo street a few working days ago, whose opinions are still open.
RECENT_SESSION_PATHS = ("accepted", "accepted", "referred", "handling")
RECENT_SESSION_WORKING_DAYS = 5
# Open opinions put at the demo station on matters the street office handles, so the
# demo deputy, liaison, street and unit homes each have something to act on.
# Received opinions that repeat one still being handled (not merged yet).
RECEIVED_DUPLICATES = 2
DEMO_STATION_PATHS = {"received": 1, "handling_overdue": 1, "sent": 1}
# Sessions before this many days ago: their (closed) opinions have time to be rated.
OLD_SESSION_DAYS = (80, 178)

CHANNEL_WEIGHTS = (
    (Channel.STATION_VISIT, 36),
    (Channel.QR_DEPUTY, 18),
    (Channel.QR_STATION, 13),
    (Channel.ONLINE, 16),
    (Channel.BOX, 6),
)
RECORDED_CHANNELS = (Channel.STATION_VISIT, Channel.BOX, Channel.EVENT)
STATION_KIND_WEIGHTS = {
    StationKind.COMMUNITY: 5,
    StationKind.CENTRAL: 2,
    StationKind.STUDIO: 2,
}
LATE_SHARE = 0.12  # closed opinions whose unit replied after the due date


@contextmanager
def _delivered_at_the_step():
    """Run what a step queued for after its commit (notifications, messages) when it ends.

    In real use each step is its own transaction, and its commit sends what it queued at
    that moment. The demo is one transaction, all or nothing, whose commit would send the
    whole half year's at once, stamped with the seed time: instead each step's go when
    the step ends, at its moment, as Django's own test helper
    (TestCase.captureOnCommitCallbacks(execute=True)) runs them.
    """
    start = len(connection.run_on_commit)
    yield
    # A callback may queue more (a notification's messages): run until none is left. The
    # list is looked up each time: a rolled-back savepoint replaces it.
    while len(connection.run_on_commit) > start:
        _savepoints, callback, robust = connection.run_on_commit.pop(start)
        if not robust:
            callback()
            continue
        try:
            callback()
        except Exception:
            logger.exception("demo: a step's after-commit callback failed")


def ensure_opinions(district: Region, *, now: datetime.datetime | None = None) -> int:
    """Build the demo opinions of `district` unless it has opinions; returns how many.

    Needs the demo accounts (they act in the timelines); without them it builds nothing.
    Call inside the district's transaction: the notifications and messages the services
    queue go out when it commits. `now` is when the half year ends (default: now).
    """
    if Opinion.objects.filter(district=district).exists():
        return 0
    builder = DemoOpinions(district, now or timezone.now())
    if not builder.load():
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return builder.build()


# --- what an opinion is ------------------------------------------------------------------


@dataclass(eq=False)
class Session:
    """An event where several opinions were taken (半月谈, 夜话, 直播间)."""

    kind: str
    title: str
    station: Station
    deputies: list[int]
    days_ago: int
    recorder: User
    recent: bool = False
    cases: list[Case] = field(default_factory=list)
    held_on: datetime.date | None = None
    recorded_at: datetime.datetime | None = None


@dataclass(eq=False)
class Case:
    """One opinion as planned: what it is, who handles it, how it goes; and, once it runs,
    the objects the services returned for it."""

    index: int
    path: Path
    at_demo_station: bool = False
    session: Session | None = None
    main: Case | None = None
    street: Region | None = None
    station: Station | None = None
    deputy_id: int | None = None
    place: Region | None = None
    channel: str = ""
    tracking_code: str = ""
    submitter_name: str = ""
    submitter_phone: str = ""
    address: str = ""
    subject: str = ""
    content: str = ""
    topic: texts.Topic | None = None
    refusal: texts.Refusal | None = None
    fill: dict = field(default_factory=dict)
    variant: int = 0
    category: Category | None = None
    category_at_intake: Category | None = None
    recorder: User | None = None
    triager: User | None = None
    reviewer: User | None = None
    scores: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    by_phone: bool = False
    late: bool = False
    decline_reason: str = ""
    decline_early: bool = False
    units: list[HandlingUnit] = field(default_factory=list)  # lead units, in order
    suggested: HandlingUnit | None = None
    co_unit: HandlingUnit | None = None
    refer_note: str = ""
    rework_actions: list[str] = field(default_factory=list)
    extension_reason: str = ""
    extension_days: int = 0
    extension_note: str = ""
    edited: bool = False
    timeline: Timeline | None = None
    # What the services returned, passed on to the next step.
    opinion: Opinion | None = None
    lead: object = None  # the lead referral
    co: object = None  # the co-unit's referral
    reply: object = None  # the latest reply
    extension: object = None


# --- when things happen --------------------------------------------------------------------


@dataclass
class Step:
    """A call to make at `at`: one step of one opinion, or the daily deadline check."""

    at: datetime.datetime
    order: tuple[int, int]  # ties: sessions, then cases in index order, each in its order
    run: Callable[[], None]


@dataclass
class Timeline:
    """One planned attempt at an opinion's history: its steps, and what the plan expects."""

    received_at: datetime.datetime
    steps: list[tuple[datetime.datetime, Callable[[], None]]] = field(default_factory=list)
    start: datetime.datetime | None = None  # its first event (a session records it later)
    status: str = Status.RECEIVED
    closed_at: datetime.datetime | None = None
    returned_for_rework: int = 0
    # The running lead referral as planned: where its period starts, its days, its due date.
    period_start: datetime.date | None = None
    period_days: int = 0
    due: datetime.date | None = None
    # When the last reply reached the citizen (sent).
    sent_at: datetime.datetime | None = None

    @property
    def end(self) -> datetime.datetime:
        return max([self.start or self.received_at, *(at for at, _ in self.steps)])

    def add(self, at: datetime.datetime, run: Callable[[], None], *, to=None) -> None:
        if to is not None:
            self.status = to
        self.steps.append((at, run))


class Clock:
    """Moments on the working-day calendar, in Asia/Shanghai office hours or a citizen's day."""

    OFFICE_START = datetime.time(8, 40)
    OFFICE_MINUTES = 8 * 60 + 40  # to 17:20

    def __init__(self, calendar, rng: random.Random):
        self.calendar = calendar
        self.rng = rng
        self.zone = timezone.get_default_timezone()
        self.hurry = False

    def at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(day, time, tzinfo=self.zone)

    def local_date(self, moment: datetime.datetime) -> datetime.date:
        return timezone.localdate(moment, self.zone)

    def is_working_day(self, day: datetime.date) -> bool:
        return self.calendar.is_working_day(day)

    def next_working_day(self, day: datetime.date) -> datetime.date:
        return self.calendar.add_working_days(day, 1).due

    def _office_moment(self, day: datetime.date, spread: int) -> datetime.datetime:
        minutes = 0 if self.hurry else self.rng.randint(0, spread)
        return self.at(day, self.OFFICE_START) + datetime.timedelta(minutes=minutes)

    def office_after(self, moment, low: int, high: int) -> datetime.datetime:
        """An office moment `low`..`high` minutes (of the clock) after `moment`, or the next."""
        minutes = low if self.hurry else self.rng.randint(low, high)
        candidate = moment + datetime.timedelta(minutes=minutes)
        local = candidate.astimezone(self.zone)
        day = local.date()
        if self.is_working_day(day):
            start = self.at(day, self.OFFICE_START)
            end = start + datetime.timedelta(minutes=self.OFFICE_MINUTES)
            if start <= candidate <= end:
                return candidate
            if candidate < start:
                return max(self._office_moment(day, 60), moment + datetime.timedelta(minutes=1))
        return self._office_moment(self.next_working_day(day), 90)

    def working_days_after(self, moment, days: int) -> datetime.datetime:
        """An office moment on the `days`-th working day after `moment`'s date."""
        if days <= 0:
            return self.office_after(moment, 30, 240)
        day = self.calendar.add_working_days(self.local_date(moment), days).due
        return max(
            self._office_moment(day, self.OFFICE_MINUTES), moment + datetime.timedelta(minutes=5)
        )

    def citizen_after(self, moment, low_hours: float, high_hours: float) -> datetime.datetime:
        """When a citizen acts (rates), `low`..`high` hours later, between 7:00 and 23:00."""
        hours = low_hours if self.hurry else self.rng.uniform(low_hours, high_hours)
        candidate = (moment + datetime.timedelta(hours=hours)).astimezone(self.zone)
        if candidate.hour < 7:
            candidate = candidate.replace(hour=7, minute=self.rng.randint(0, 59))
        elif candidate.hour >= 23:
            candidate = self.at(
                candidate.date() + datetime.timedelta(days=1), datetime.time(7, 30)
            ) + datetime.timedelta(minutes=self.rng.randint(0, 90))
        return max(candidate, moment + datetime.timedelta(minutes=1))

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        return self.calendar.working_days_between(start, end)


class DoesNotFit(Exception):
    """A timeline ran past the seed date or missed its path's condition; try another."""

    def __init__(self, *, later: bool = False):
        super().__init__()
        # Received too early for the condition (an open case already overdue): move it
        # later. Otherwise it is moved earlier.
        self.later = later


# --- the builder ---------------------------------------------------------------------------


class DemoOpinions:
    """Plans the demo opinions of one district, then lives them through the services."""

    def __init__(self, district: Region, now: datetime.datetime):
        self.district = district
        self.now = now
        self.today = timezone.localdate(now)
        self.cases: list[Case] = []
        self.sessions: list[Session] = []
        self.day_weights: dict[str, tuple[list, list]] = {}
        self.station_weights: dict[int, list[int]] = {}
        self.passings = 0
        self.closed_by_default = 0

    def _rng(self, purpose: str) -> random.Random:
        # A stream per purpose: drawing more of one leaves the others unchanged.
        return random.Random(f"{SEED}/{self.district.code}/{purpose}")

    # structure ---------------------------------------------------------------------------

    def load(self) -> bool:
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES.values())}
        needed = [Role.STAFF, Role.STREET, Role.LIAISON, Role.DEPUTY, Role.UNIT]
        if any(DEMO_USERNAMES[role] not in users for role in needed):
            return False
        self.staff = users[DEMO_USERNAMES[Role.STAFF]]
        self.street_user = users[DEMO_USERNAMES[Role.STREET]]
        self.liaison = users[DEMO_USERNAMES[Role.LIAISON]]
        self.deputy_user = users[DEMO_USERNAMES[Role.DEPUTY]]
        self.unit_user = users[DEMO_USERNAMES[Role.UNIT]]
        self.demo_station = Station.objects.filter(liaisons=self.liaison).first()
        self.demo_deputy = Deputy.objects.filter(user=self.deputy_user).first()
        if self.demo_station is None or self.demo_deputy is None:
            return False
        self.demo_street = self.street_user.region

        self.streets = list(
            Region.objects.filter(parent=self.district, level=RegionLevel.STREET).order_by("code")
        )
        self.communities: dict[int, list[Region]] = defaultdict(list)
        # Read with what the intake reads of them (a community's street, a station's
        # community, street and district), once for the half year rather than per opinion.
        for community in (
            Region.objects.filter(parent__in=self.streets, level=RegionLevel.COMMUNITY)
            .select_related("parent")
            .order_by("code")
        ):
            self.communities[community.parent_id].append(community)
        self.regions = {r.pk: r for r in self.streets}
        for communities in self.communities.values():
            self.regions.update({c.pk: c for c in communities})

        stations = list(
            Station.objects.filter(street__in=self.streets, is_active=True)
            .select_related("region", "street__parent")
            .order_by("street__code", "kind", "name", "public_code")
        )
        self.stations_of: dict[int, list[Station]] = defaultdict(list)
        for station in stations:
            self.stations_of[station.street_id].append(station)
        self.station_by_pk = {s.pk: s for s in stations}
        Link = Station.linked_communities.through
        self.linked: dict[int, list[int]] = defaultdict(list)
        for station_id, region_id in (
            Link.objects.filter(station__in=stations)
            .order_by("station_id", "region__code")
            .values_list("station_id", "region_id")
        ):
            self.linked[station_id].append(region_id)
        self.deputies_at: dict[int, list[int]] = defaultdict(list)
        for station_id, deputy_id in (
            StationAssignment.objects.current(self.today)
            .filter(station__in=stations)
            .order_by("station_id", "-is_head", "deputy__public_code")
            .values_list("station_id", "deputy_id")
        ):
            self.deputies_at[station_id].append(deputy_id)

        self.deputies = Deputy.objects.in_bulk(
            {pk for pks in self.deputies_at.values() for pk in pks}
        )
        self.units = list(
            HandlingUnit.objects.filter(region__in=[self.district, *self.streets])
            .select_related("region")
            .order_by("region__code", "name")
        )
        self.street_office = {
            u.region_id: u for u in self.units if u.kind == UnitKind.STREET_OFFICE
        }
        self.categories = {c.code: c for c in Category.objects.select_related("parent")}
        # Routes hang on the district and its streets. A community without routes of its
        # own routes like its street, and a street without a route for a category (or its
        # parent) like the district: one route_for call serves each such group.
        self.community_routes = CategoryRoute.objects.filter(
            region__parent__in=self.streets
        ).exists()
        self.street_routed = set(
            CategoryRoute.objects.filter(region__in=self.streets).values_list(
                "category_id", flat=True
            )
        )
        self.routes: dict[tuple[int, int], HandlingUnit | None] = {}
        self.deadline_days: dict[int, int] = {}
        self.calendar = working_calendar()
        self.street_weights = self._street_weights()
        return True

    def _route(self, category: Category, region: Region) -> HandlingUnit:
        key_region = region
        if not self.community_routes and region.level == RegionLevel.COMMUNITY:
            key_region = self.regions[region.parent_id]
        own = {category.pk, category.parent_id}
        if key_region.level == RegionLevel.STREET and not own & self.street_routed:
            key_region = self.district
        key = (category.pk, key_region.pk)
        if key not in self.routes:
            self.routes[key] = route_for(category, key_region)
        unit = self.routes[key]
        if unit is None:
            raise ValueError(f"no route for {category} in {region}")
        return unit

    def _days_for(self, category: Category | None) -> int:
        key = category.pk if category else 0
        if key not in self.deadline_days:
            self.deadline_days[key] = deadline_days_for(category)
        return self.deadline_days[key]

    def _accounts(self) -> None:
        """Generated accounts that act in the timelines: more staff, one handler per unit."""
        rng = self._rng("accounts")
        wanted: list[User] = []
        for n in range(GENERATED_STAFF):
            name = people.person_name(rng, rng.choice("MF"))
            wanted.append(
                User(
                    username=f"demo-staff-{self.district.code}-{n + 2}",
                    display_name=name,
                    role=Role.STAFF,
                    region=self.district,
                )
            )
        for unit in self.units:
            name = people.person_name(rng, rng.choice("MF"))
            if unit.pk == self.unit_user.unit_id:
                continue
            digest = hashlib.blake2s(unit.name.encode(), digest_size=4).hexdigest()
            wanted.append(
                User(
                    username=f"demo-unit-{digest}",
                    display_name=f"{name}（{unit.short_name or unit.name}）",
                    role=Role.UNIT,
                    unit=unit,
                )
            )
        existing = {
            u.username: u for u in User.objects.filter(username__in=[u.username for u in wanted])
        }
        # Nobody signs in with these: an unusable password, set without hashing.
        unusable = make_password(None)
        missing = [u for u in wanted if u.username not in existing]
        for user in missing:
            user.password = unusable
        User.objects.bulk_create(missing)
        users = [existing.get(u.username, u) for u in wanted]
        self.staff_pool = [self.staff, *users[:GENERATED_STAFF]]
        self.handler = {u.unit_id: u for u in users[GENERATED_STAFF:]}
        self.handler[self.unit_user.unit_id] = self.unit_user

    # plan ------------------------------------------------------------------------------------

    def build(self) -> int:
        self._accounts()
        self._plan()
        self._schedule()
        self._execute()
        return len(self.cases)

    def _plan(self) -> None:
        rng = self._rng("plan")
        paths = [path for path in PATHS for _ in range(path.count)]
        rng.shuffle(paths)
        self.cases = [Case(index=i, path=path) for i, path in enumerate(paths)]
        by_path: dict[str, list[Case]] = defaultdict(list)
        for case in self.cases:
            by_path[case.path.name].append(case)

        self._plan_sessions(rng, by_path)
        for name, count in DEMO_STATION_PATHS.items():
            for case in [c for c in by_path[name] if c.session is None][:count]:
                case.at_demo_station = True
        # Duplicates point at a main opinion of the same matter: a closed one for those
        # that were closed with it, one still being handled for those still merged.
        free_closed = [c for c in by_path["closed"] if c.session is None]
        free_handling = [c for c in by_path["handling"] if c.session is None]
        for case in by_path["closed_duplicate"]:
            case.main = free_closed.pop(rng.randrange(len(free_closed)))
        for case in by_path["merged"]:
            case.main = free_handling.pop(rng.randrange(len(free_handling)))
        # Citizens who wrote again about a matter still being handled, waiting for triage:
        # the case page shows staff the one handled as a likely duplicate (insights), to
        # merge in one click.
        waiting = [c for c in by_path["received"] if c.session is None and not c.at_demo_station]
        for case in waiting[:RECEIVED_DUPLICATES]:
            case.main = free_handling.pop(rng.randrange(len(free_handling)))

        reasons = list(DECLINE_REASONS)
        rng.shuffle(reasons)
        for case in by_path["declined"]:
            case.decline_reason = reasons.pop()

        serial = iter(range(2000, 10000))
        for case in self.cases:
            if case.main is None:
                self._plan_case(rng, case, serial)
        for case in self.cases:
            if case.main is not None:
                self._plan_duplicate(rng, case, serial)
                # A rating taken by phone signs the main one's close_with_main too; the
                # duplicates' submitters rate nothing, so their main ones are rated online.
                case.main.by_phone = False
        self._plan_codes()
        words = self._rng("words")
        for case in self.cases:
            case.subject = self._subject(case)
            case.content = self._content(case, words)

    def _plan_sessions(self, rng: random.Random, by_path) -> None:
        pool = list(by_path["closed"])
        rng.shuffle(pool)
        street_weights = self.street_weights
        counters: dict[int, int] = defaultdict(int)
        plans = []
        for kind, count, low, high in SESSIONS:
            for n in range(count):
                if kind == IntakeSession.Kind.HALF_MONTH_TALK:
                    # Spread over the months, a few days apart.
                    span = OLD_SESSION_DAYS[1] - OLD_SESSION_DAYS[0]
                    days_ago = OLD_SESSION_DAYS[0] + span * n // count + rng.randint(0, 4)
                else:
                    days_ago = rng.randint(*OLD_SESSION_DAYS)
                plans.append((kind, days_ago, rng.randint(low, high)))
        # Oldest first, so each street numbers its half-month talks in order.
        plans.sort(key=lambda plan: -plan[1])
        plans.append((IntakeSession.Kind.NIGHT_TALK, None, len(RECENT_SESSION_PATHS)))

        for kind, days_ago, size in plans:
            recent = days_ago is None
            street = self.demo_street if recent else self._pick_street(rng, street_weights)
            candidates = [
                s
                for s in self.stations_of[street.pk]
                if s.kind in (StationKind.CENTRAL, StationKind.STUDIO) and self.deputies_at[s.pk]
            ] or [s for s in self.stations_of[street.pk] if self.deputies_at[s.pk]]
            station = rng.choice(candidates)
            deputies = self.deputies_at[station.pk][: rng.randint(2, 4)]
            theme = rng.choice(texts.SESSION_THEMES)
            if kind == IntakeSession.Kind.HALF_MONTH_TALK:
                counters[street.pk] += 1
                title = f"{street.name}代表半月谈（第{counters[street.pk]}期）：{theme}"
            elif kind == IntakeSession.Kind.NIGHT_TALK:
                title = f"{station.name}代表夜话：{theme}"
            else:
                title = f"“代表直通车”直播间：{theme}"
            recorder = self._triager(rng, street)
            session = Session(
                kind=kind,
                title=title,
                station=station,
                deputies=deputies,
                days_ago=days_ago or 0,
                recorder=recorder,
                recent=recent,
            )
            if recent:
                for name in RECENT_SESSION_PATHS:
                    case = next(c for c in by_path[name] if c.session is None)
                    session.cases.append(case)
                    case.session = session
            else:
                for _ in range(size):
                    case = pool.pop()
                    session.cases.append(case)
                    case.session = session
            self.sessions.append(session)

    def _street_weights(self) -> list[int]:
        demo = self.demo_street.pk
        return [
            len(self.communities[s.pk]) * (DEMO_STREET_WEIGHT if s.pk == demo else 1)
            for s in self.streets
        ]

    def _pick_street(self, rng, weights) -> Region:
        return rng.choices(self.streets, weights=weights)[0]

    def _triager(self, rng, street: Region) -> User:
        """Who accepts, refers and reviews: the street committee in the demo street, else staff."""
        if street == self.demo_street and rng.random() < 0.75:
            return self.street_user
        return rng.choices(self.staff_pool, weights=[3] + [2] * GENERATED_STAFF)[0]

    def _pick_station(self, rng, street: Region) -> Station:
        stations = self.stations_of[street.pk]
        if street.pk not in self.station_weights:
            self.station_weights[street.pk] = list(
                itertools.accumulate(
                    DEMO_STATION_WEIGHT
                    if station.pk == self.demo_station.pk
                    else STATION_KIND_WEIGHTS.get(station.kind, 1)
                    for station in stations
                )
            )
        return rng.choices(stations, cum_weights=self.station_weights[street.pk])[0]

    def _place_at(self, rng, station: Station | None, street: Region) -> Region:
        if station is not None and station.kind == StationKind.COMMUNITY:
            return self.regions[station.region_id]
        if station is not None and self.linked.get(station.pk):
            return self.regions[rng.choice(self.linked[station.pk])]
        return rng.choice(self.communities[street.pk])

    def _plan_case(self, rng: random.Random, case: Case, serial) -> None:
        path = case.path
        session = case.session
        if session is not None:
            case.street = self.regions[session.station.street_id]
            case.station = session.station
            case.channel = Channel.EVENT
            case.deputy_id = session.deputies[0] if len(session.deputies) == 1 else None
            case.recorder = session.recorder
        elif path.spot or case.at_demo_station:
            # The demo deputy answers at the demo station.
            case.street = self.demo_street
            case.station = self.demo_station
            case.deputy_id = self.demo_deputy.pk
            case.channel = Channel.STATION_VISIT if rng.random() < 0.7 else Channel.QR_DEPUTY
        else:
            case.street = self._pick_street(rng, self.street_weights)
            case.channel = people.weighted(rng, CHANNEL_WEIGHTS)
            self._place_channel(rng, case)
        if case.place is None:
            case.place = self._place_at(rng, case.station, case.street)
        self._plan_people(rng, case)
        self._plan_words(rng, case, serial)
        self._plan_handling(rng, case)

    def _place_channel(self, rng, case: Case) -> None:
        if case.channel == Channel.ONLINE:
            return
        station = self._pick_station(rng, case.street)
        deputies = self.deputies_at[station.pk]
        if case.channel == Channel.QR_DEPUTY and not deputies:
            case.channel = Channel.QR_STATION
        case.station = station
        if case.channel == Channel.QR_DEPUTY:
            case.deputy_id = rng.choice(deputies)
        elif case.channel == Channel.STATION_VISIT and deputies:
            if station == self.demo_station and rng.random() < 0.6:
                case.deputy_id = self.demo_deputy.pk
            elif rng.random() < 0.75:
                case.deputy_id = deputies[0] if rng.random() < 0.5 else rng.choice(deputies)

    def _plan_people(self, rng, case: Case) -> None:
        case.triager = self._triager(rng, case.street)
        at_demo_station = case.station == self.demo_station
        if case.channel in (Channel.STATION_VISIT, Channel.BOX) and case.recorder is None:
            if at_demo_station:
                by_deputy = case.deputy_id == self.demo_deputy.pk and rng.random() < 0.5
                case.recorder = self.deputy_user if by_deputy else self.liaison
            else:
                case.recorder = case.triager
        if at_demo_station:
            case.reviewer = self.liaison if rng.random() < 0.6 else self.deputy_user
        else:
            case.reviewer = case.triager

    def _fill(self, rng, case: Case) -> dict:
        community = case.place.name if case.place.level == RegionLevel.COMMUNITY else ""
        stems = rng.sample(places.NAME_STEMS, 5)
        estate_suffix = rng.choice(texts.ESTATE_SUFFIXES)
        return {
            "community": community or rng.choice(self.communities[case.street.pk]).name,
            "estate": stems[0] + ("小区" if stems[0].endswith("村") else estate_suffix),
            "road": stems[1] + rng.choice(places.ROAD_SUFFIXES),
            "road2": stems[2] + rng.choice(places.ROAD_SUFFIXES),
            "school": stems[3] + rng.choice(texts.SCHOOL_SUFFIXES),
            "market": stems[4] + "菜市场",
            "building": str(rng.randint(1, 24)),
        }

    def _plan_words(self, rng, case: Case, serial) -> None:
        path = case.path
        case.fill = self._fill(rng, case)
        if case.decline_reason in (DeclineReason.OUT_OF_SCOPE, DeclineReason.ABUSIVE):
            case.refusal = rng.choice(
                [r for r in texts.REFUSALS if r.reason == case.decline_reason]
            )
        else:
            topics = texts.TOPICS
            if path.spot:
                topics = [t for t in topics if t.spot]
            elif case.at_demo_station or (case.session and case.session.recent):
                # Matters the street office handles: they reach the demo unit account.
                topics = [t for t in topics if self.categories[t.category].pk in self.street_routed]
            case.topic = rng.choices(topics, weights=[t.weight for t in topics])[0]
            case.category = self.categories[case.topic.category]
            case.variant = rng.randrange(2)
        public = case.channel in (Channel.ONLINE, Channel.QR_DEPUTY, Channel.QR_STATION)
        # Citizens often leave the category blank; staff set it on acceptance.
        case.category_at_intake = None if public and rng.random() < 0.35 else case.category
        self._plan_submitter(rng, case, serial)

    def _plan_submitter(self, rng, case: Case, serial) -> None:
        anonymous = rng.random() < (0.6 if case.channel == Channel.BOX else 0.18)
        case.submitter_name = "" if anonymous else people.person_name(rng, rng.choice("MF"))
        has_phone = rng.random() < (0.3 if anonymous else 0.9)
        case.submitter_phone = people.fake_mobile(next(serial)) if has_phone else ""
        case.address = ""
        if case.topic and rng.random() < 0.6:
            fill = case.fill
            case.address = rng.choice(
                [
                    f"{fill['estate']}{fill['building']}栋",
                    f"{fill['road']}{rng.randint(1, 300)}号",
                ]
            )

    def _plan_handling(self, rng, case: Case) -> None:
        path = case.path
        case.scores = [
            (SATISFIED if rng.random() < 0.78 else BASICALLY) if s == OK else s for s in path.scores
        ]
        for score in case.scores:
            choices = {
                SATISFIED: texts.SATISFIED_COMMENTS,
                BASICALLY: texts.BASICALLY_COMMENTS,
                UNSATISFIED: texts.UNSATISFIED_COMMENTS,
            }[score]
            case.comments.append(rng.choice(choices))
        case.late = path.name in ("closed", "closed_co") and rng.random() < LATE_SHARE
        case.decline_early = rng.random() < 0.55
        case.refer_note = rng.choice(texts.REFER_NOTES)
        case.edited = rng.random() < 0.15
        case.rework_actions = [rng.choice(texts.REWORK_ACTIONS) for _ in range(2)]
        case.extension_reason = rng.choice(texts.EXTENSION_REASONS)
        case.extension_days = rng.choice([5, 5, 10, 10, 15])
        case.extension_note = rng.choice(texts.EXTENSION_NOTES)
        case.by_phone = rng.random() < PHONE_SHARE
        if case.category is None or path.spot:
            return
        region = case.place or case.street
        case.suggested = self._route(case.category, region)
        other = self._other_unit(case)
        if path.returned:
            case.units = [case.suggested, other]
        else:
            case.units = [case.suggested]
        if path.co_unit:
            case.co_unit = other

    def _other_unit(self, case: Case) -> HandlingUnit:
        """The unit a returned opinion goes to next, or a co-unit: district or street level."""
        if case.suggested.kind == UnitKind.STREET_OFFICE:
            return self._route(case.category, self.district)
        return self.street_office[case.street.pk]

    def _plan_duplicate(self, rng, case: Case, serial) -> None:
        main = case.main
        case.street = main.street
        case.channel = people.weighted(rng, CHANNEL_WEIGHTS)
        self._place_channel(rng, case)
        case.place = main.place
        self._plan_people(rng, case)
        case.topic = main.topic
        case.category = main.category
        case.category_at_intake = main.category
        case.fill = main.fill
        case.variant = 1 - main.variant
        self._plan_submitter(rng, case, serial)
        case.triager = main.triager

    def _plan_codes(self) -> None:
        rng = self._rng("codes")
        taken = set()
        codes = []
        while len(codes) < len(self.cases):
            batch = [
                format_code("".join(rng.choice(ALPHABET) for _ in range(LENGTH)))
                for _ in range(len(self.cases) - len(codes))
            ]
            used = set(
                Opinion.objects.filter(tracking_code__in=batch).values_list(
                    "tracking_code", flat=True
                )
            )
            for code in batch:
                if code not in used and code not in taken:
                    taken.add(code)
                    codes.append(code)
        for case, code in zip(self.cases, codes, strict=True):
            case.tracking_code = code

    # words ---------------------------------------------------------------------------------

    def _subject(self, case: Case) -> str:
        if case.refusal:
            return case.refusal.subject
        return case.topic.subject.format(**case.fill)[:100]

    def _content(self, case: Case, rng) -> str:
        if case.refusal:
            return case.refusal.content
        opening = rng.choice(texts.OPENINGS[case.channel]).format(**case.fill)
        return opening + case.topic.contents[case.variant].format(**case.fill)

    def _reply_text(self, case: Case, unit: HandlingUnit, cycle: int) -> str:
        contact = unit.contact_person or "承办人"
        phone = unit.contact_phone or ""
        name = unit.short_name or unit.name
        if cycle == 0:
            return texts.REPLY_TEMPLATE.format(
                subject=case.subject,
                unit=name,
                action=case.topic.action.format(**case.fill),
                contact=contact,
                phone=phone,
            )
        return texts.REWORK_TEMPLATE.format(
            unit=name, action=case.rework_actions[(cycle - 1) % 2], contact=contact, phone=phone
        )

    # plan the moments ------------------------------------------------------------------------

    def _schedule(self) -> None:
        rng = self._rng("time")
        self.clock = Clock(self.calendar, rng)
        for session in self.sessions:
            self._time_session(rng, session)
        for case in self.cases:
            if case.main is None:
                case.timeline = self._fit(rng, case)
        for case in self.cases:
            if case.main is not None:
                case.timeline = self._fit(rng, case)

    def _time_session(self, rng, session: Session) -> None:
        clock = self.clock
        if session.recent:
            day = self.today
            for _ in range(RECENT_SESSION_WORKING_DAYS):
                day -= datetime.timedelta(days=1)
                while not clock.is_working_day(day):
                    day -= datetime.timedelta(days=1)
        else:
            day = self.today - datetime.timedelta(days=session.days_ago)
        session.held_on = day
        if session.kind == IntakeSession.Kind.NIGHT_TALK:
            recorded = clock.office_after(clock.at(day, datetime.time(21, 0)), 0, 0)
        else:
            recorded = clock.at(day, datetime.time(17, 0)) + datetime.timedelta(
                minutes=rng.randint(0, 90)
            )
        session.recorded_at = recorded

    def _fit(self, rng, case: Case) -> Timeline:
        """A timeline that ends before the seed date and meets the path's condition."""
        path = case.path
        clock = self.clock
        fixed = case.session is not None
        received = self._first_received(rng, case)
        for attempt in range(40):
            clock.hurry = attempt >= 30
            try:
                timeline = self._run(case, received)
                self._check(case, timeline)
                return timeline
            except DoesNotFit as miss:
                if fixed or case.main is not None:
                    continue
                # Whole days, so it keeps its time of day.
                if miss.later and path.age:
                    later = received + datetime.timedelta(days=1)
                    if later < self.now - datetime.timedelta(hours=2):
                        received = later
                else:
                    received -= datetime.timedelta(days=rng.randint(2, 6))
            finally:
                clock.hurry = False
        raise RuntimeError(f"demo opinion {case.index} ({path.name}) does not fit")

    def _first_received(self, rng, case: Case) -> datetime.datetime:
        path = case.path
        clock = self.clock
        if case.session is not None:
            return clock.at(case.session.held_on, datetime.time.min)
        if case.main is not None and path.age:
            # Written again lately (its path's age), after the first one came in.
            ago = rng.uniform(*path.age)
            moment = self.now - datetime.timedelta(days=ago)
            return self._moment(rng, case, clock.local_date(moment), not_after=moment)
        if case.main is not None:
            main = case.main.timeline
            limit = main.closed_at or self.now
            span = (limit - main.received_at).total_seconds() / 86400
            days = rng.uniform(0.1, max(0.2, min(5, span / 3)))
            return self._moment(rng, case, clock.local_date(main.received_at), after=days)
        if path.age:
            ago = rng.uniform(*path.age)
            moment = self.now - datetime.timedelta(days=ago)
            return self._moment(rng, case, clock.local_date(moment), not_after=moment)
        if case.channel not in self.day_weights:
            days = [self.today - datetime.timedelta(days=d) for d in range(20, HALF_YEAR_DAYS)]
            weights = [self._day_weight(case.channel, day) for day in days]
            self.day_weights[case.channel] = (days, list(itertools.accumulate(weights)))
        days, cumulative = self.day_weights[case.channel]
        day = rng.choices(days, cum_weights=cumulative)[0]
        return self._moment(rng, case, day)

    def _day_weight(self, channel: str, day: datetime.date) -> float:
        working = self.clock.is_working_day(day)
        if channel == Channel.BOX:
            return 1.0 if working else 0.0
        if channel == Channel.STATION_VISIT:
            if working:
                return 3.0
            return 1.0 if day.weekday() == 5 else 0.3
        return 3.0 if working else 2.0

    def _moment(self, rng, case, day, *, after: float = 0.0, not_after=None):
        """A time on `day` (+`after` days) when the channel receives opinions."""
        clock = self.clock
        day = day + datetime.timedelta(days=int(after))
        if case.channel == Channel.STATION_VISIT:
            moment = clock.at(day, datetime.time(9, 0)) + datetime.timedelta(
                minutes=rng.randint(0, 8 * 60)
            )
        elif case.channel == Channel.BOX:
            moment = clock.at(day, datetime.time(9, 0)) + datetime.timedelta(
                minutes=rng.randint(0, 90)
            )
        else:
            moment = clock.at(day, datetime.time(7, 0)) + datetime.timedelta(
                minutes=rng.randint(0, 16 * 60)
            )
        if case.main is not None:
            moment = max(moment, case.main.timeline.received_at + datetime.timedelta(hours=2))
        if not_after is not None and moment > not_after:
            moment -= datetime.timedelta(days=1)
        return moment

    def _check(self, case: Case, timeline: Timeline) -> None:
        path = case.path
        latest = self.now - datetime.timedelta(minutes=2)
        if timeline.end > latest:
            raise DoesNotFit()
        if path.unrated and (timeline.closed_at is None or timeline.closed_at > latest):
            raise DoesNotFit()
        if (
            path.final == Status.SENT
            and timeline.sent_at is not None
            and self._default_close_day(timeline.sent_at) <= self.today
        ):
            raise DoesNotFit(later=True)  # it would have closed by itself already
        if case.main is not None and path.merge and path.final != Status.MERGED:
            merged_at = timeline.steps[-1][0]
            if merged_at >= case.main.timeline.closed_at - datetime.timedelta(hours=1):
                raise DoesNotFit()
        if path.final == Status.HANDLING and not path.scores:
            overdue = timeline.due is not None and timeline.due < self.today
            if path.overdue and not overdue:
                raise DoesNotFit()
            if not path.overdue and overdue:
                raise DoesNotFit(later=True)
            # As deadlines.very_overdue_from counts it: the period's working days again.
            very = overdue and (
                self.calendar.add_working_days(timeline.due, timeline.period_days).due <= self.today
            )
            if path.very_overdue and not very:
                raise DoesNotFit()
            if path.overdue and not path.very_overdue and very:
                raise DoesNotFit(later=True)

    # one timeline: when each step happens, and the call it makes ---------------------------

    def _run(self, case: Case, received_at: datetime.datetime) -> Timeline:
        clock = self.clock
        path = case.path
        tl = Timeline(received_at=received_at)
        t = received_at
        if case.session is not None:
            # The session's step records it (with the others taken there).
            t = tl.start = case.session.recorded_at
        else:
            tl.add(t, lambda: self._receive(case), to=Status.RECEIVED)
        if path.final == Status.RECEIVED:
            return tl

        if path.final == Status.DECLINED and case.decline_early:
            tl.add(clock.office_after(t, 30, 900), lambda: self._decline(case), to=path.final)
            return tl
        t = clock.office_after(t, 20, 1500)
        tl.add(t, lambda: self._accept(case), to=Status.ACCEPTED)
        if path.final == Status.ACCEPTED:
            return tl
        if path.final == Status.DECLINED:
            tl.add(clock.office_after(t, 30, 1200), lambda: self._decline(case), to=path.final)
            return tl
        if path.merge:
            tl.add(clock.office_after(t, 30, 900), lambda: self._merge(case), to=Status.MERGED)
            if case.main.timeline.closed_at is not None:
                # The main one's rating closes its duplicates with it (close_with_main).
                tl.closed_at = case.main.timeline.closed_at
                tl.status = case.main.timeline.status
            return tl
        if path.spot:
            t = clock.office_after(t, 5, 60)
            tl.add(t, lambda: self._answer_on_spot(case), to=Status.REPLIED)
            if path.final == Status.REPLIED:
                return tl
            t = clock.office_after(t, 30, 1440)
            tl.add(t, lambda: self._send(case), to=Status.SENT)
            self._rate(case, tl, clock.citizen_after(t, 2, 96), 0, lead=False)
            return tl

        t = clock.office_after(t, 5, 600)
        self._plan_refer(case, tl, t, case.units[0])
        if path.returned:
            t = clock.office_after(t, 60, 2400)
            tl.add(t, lambda: self._return(case), to=Status.ACCEPTED)
            tl.due = None
            t = clock.office_after(t, 30, 1200)
            self._plan_refer(case, tl, t, case.units[1])
        if path.final == Status.REFERRED:
            return tl
        t = clock.office_after(t, 30, 1800)
        tl.add(t, lambda: self._referral_accept(case, co=False), to=Status.HANDLING)
        if case.co_unit is not None:
            t = clock.office_after(t, 10, 600)
            tl.add(t, lambda: self._referral_accept(case, co=True))
        self._cycles(case, tl, t)
        return tl

    def _default_close_day(self, sent_at: datetime.datetime) -> datetime.date:
        """The day the daily check closes a reply sent at `sent_at` that nobody rated."""
        return self.calendar.add_working_days(
            self.clock.local_date(sent_at), AUTO_CLOSE_DEFAULT
        ).due

    def _plan_refer(self, case: Case, tl: Timeline, t, unit: HandlingUnit) -> None:
        start = self.clock.local_date(t)
        days = self._days_for(case.category)
        tl.period_start, tl.period_days = start, days
        tl.due = self.calendar.add_working_days(start, days).due
        due = tl.due
        tl.add(t, lambda: self._refer(case, unit, due), to=Status.REFERRED)

    def _plan_extension(self, case: Case, tl: Timeline, t) -> datetime.datetime:
        """Ask for more days a few working days before the due date; approved next day."""
        clock = self.clock
        left = clock.working_days_between(clock.local_date(t), tl.due)
        asked = clock.working_days_after(t, max(1, left - 3))
        tl.add(asked, lambda: self._extension_request(case))
        if case.path.extension == "pending":
            return asked
        decided = clock.office_after(asked, 60, 1440)
        tl.period_days += case.extension_days
        tl.due = self.calendar.add_working_days(tl.period_start, tl.period_days).due
        due = tl.due
        tl.add(decided, lambda: self._extension_decide(case, due))
        return decided

    def _cycles(self, case: Case, tl: Timeline, t) -> None:
        """Handle, reply, send, rate; again after an unsatisfied rating, until the path ends."""
        clock = self.clock
        path = case.path
        ratings = len(case.scores)
        cycle = 0
        while True:
            if path.extension and cycle == 0:
                t = self._plan_extension(case, tl, t)
            if path.final == Status.HANDLING and cycle == ratings:
                return
            left = clock.working_days_between(clock.local_date(t), tl.due)
            if case.late and cycle == 0:
                days = left + clock.rng.randint(1, 6)
            else:
                low = 2 if left > 2 else 1
                days = clock.rng.randint(low, max(low, left - 1))
            replied_at = clock.working_days_after(t, days)
            if case.co_unit is not None and cycle == 0:
                co_at = clock.working_days_after(t, max(1, days - 2))
                if co_at >= replied_at:
                    replied_at = clock.office_after(co_at, 30, 240)
                tl.add(co_at, lambda: self._reply(case, co=True, cycle=0))
            tl.add(
                replied_at,
                lambda cycle=cycle: self._reply(case, co=False, cycle=cycle),
                to=Status.REPLIED,
            )
            tl.due = None
            if path.final == Status.REPLIED and cycle == ratings:
                return
            t = clock.office_after(replied_at, 30, 1800)
            tl.add(t, lambda: self._send(case), to=Status.SENT)
            tl.sent_at = t
            if cycle == ratings:
                if path.unrated:
                    # Closed by the daily check of the day the working days run out.
                    tl.closed_at = clock.at(self._default_close_day(t), DEADLINE_CHECK_TIME)
                    tl.status = Status.CLOSED
                return
            t = clock.citizen_after(t, 3, 120)
            self._rate(case, tl, t, cycle, lead=True)
            if tl.status != Status.HANDLING:
                return
            cycle += 1

    def _rate(self, case: Case, tl: Timeline, t, n: int, *, lead: bool) -> None:
        """The n-th rating: closes it, or sends it back once (to the lead unit, or to triage)."""
        score = case.scores[n]
        if score != UNSATISFIED:
            target = Status.CLOSED
        elif tl.returned_for_rework < 1:
            target = Status.HANDLING if lead else Status.ACCEPTED
            tl.returned_for_rework += 1
        else:
            target = Status.CLOSED_UNSATISFIED
        if target == Status.HANDLING:
            # A fresh period of the referral's own working days from the rating's date.
            tl.period_start = self.clock.local_date(t)
            tl.period_days = self._days_for(case.category)
            tl.due = self.calendar.add_working_days(tl.period_start, tl.period_days).due
        if target in (Status.CLOSED, Status.CLOSED_UNSATISFIED):
            tl.closed_at = t
        tl.add(t, lambda: self._rating(case, n), to=target)

    # live it: every step through the services, in time order --------------------------------

    def _execute(self) -> None:
        steps = []
        for n, session in enumerate(self.sessions):
            steps.append(
                Step(session.recorded_at, (0, n), lambda s=session: self._record_session(s))
            )
        for case in self.cases:
            for n, (at, run) in enumerate(case.timeline.steps):
                steps.append(Step(at, (1 + case.index, n), run))
        steps.sort(key=lambda step: (step.at, step.order))
        steps = self._with_deadline_checks(steps)
        with time_machine.travel(steps[0].at, tick=False) as traveller:
            for step in steps:
                traveller.move_to(step.at)
                with _delivered_at_the_step():
                    step.run()

    def _with_deadline_checks(self, steps: list[Step]) -> list[Step]:
        """The steps, with the scheduled check after each midnight between the first and now."""
        day = self.clock.local_date(steps[0].at) + datetime.timedelta(days=1)
        checks = []
        while (moment := self.clock.at(day, DEADLINE_CHECK_TIME)) < self.now:
            checks.append(Step(moment, (-1, 0), lambda day=day: self._check_deadlines(day)))
            day += datetime.timedelta(days=1)
        return sorted(steps + checks, key=lambda step: (step.at, step.order))

    def _check_deadlines(self, day: datetime.date) -> None:
        # The daily check as handling_check_deadlines runs it: passings, then the replies
        # nobody rated in time closed as 默认满意.
        self.passings += handling_services.deadlines_record_passings(today=day)
        self.closed_by_default += handling_services.replies_close_unrated(today=day)

    # the calls -----------------------------------------------------------------------------

    def _data(self, case: Case) -> dict:
        """What the form would hold for this opinion: words, place, submitter."""
        return {
            "subject": case.subject,
            "content": case.content,
            "category": case.category_at_intake,
            "place": case.place,
            "address": case.address,
            "submitter_name": case.submitter_name,
            "submitter_phone": case.submitter_phone,
        }

    def _receive(self, case: Case) -> None:
        data = self._data(case)
        station = case.station
        deputy = self.deputies[case.deputy_id] if case.deputy_id else None
        with tracking.codes_from([case.tracking_code]):
            if case.channel in RECORDED_CHANNELS:
                case.opinion = intake.opinion_record(
                    by=case.recorder,
                    data=data,
                    station=station,
                    deputy=deputy,
                    channel=case.channel,
                )
            else:
                case.opinion = intake.opinion_submit(
                    data=data,
                    photos=(),
                    station=station,
                    deputy=deputy,
                    channel=case.channel,
                    submission_key=None,
                )

    def _record_session(self, session: Session) -> None:
        rows = [self._data(case) for case in session.cases]
        with tracking.codes_from([case.tracking_code for case in session.cases]):
            recorded = intake.intake_session_record(
                by=session.recorder,
                session_data={
                    "kind": session.kind,
                    "title": session.title,
                    "held_on": session.held_on,
                    "station": session.station,
                    "deputies": [self.deputies[pk] for pk in session.deputies],
                },
                opinions=rows,
            )
        # Written in the order given, each with its planned code.
        by_code = {o.tracking_code: o for o in recorded.opinions.all()}
        for case in session.cases:
            case.opinion = by_code[case.tracking_code]

    def _accept(self, case: Case) -> None:
        case.opinion = services.opinion_accept(
            opinion=case.opinion, by=case.triager, category=case.category
        )

    def _decline(self, case: Case) -> None:
        note = case.refusal.note if case.refusal else texts.DUPLICATE_NOTE
        case.opinion = services.opinion_decline(
            opinion=case.opinion, by=case.triager, reason=case.decline_reason, note=note
        )

    def _merge(self, case: Case) -> None:
        case.opinion = services.opinion_merge(
            opinion=case.opinion, into=case.main.opinion, by=case.triager, note=texts.MERGE_NOTE
        )

    def _answer_on_spot(self, case: Case) -> None:
        case.reply = services.opinion_answer_on_spot(
            opinion=case.opinion,
            by=self.deputy_user,
            text=texts.SPOT_TEMPLATE.format(spot=case.topic.spot),
        )

    def _refer(self, case: Case, unit: HandlingUnit, due: datetime.date) -> None:
        co_units = [case.co_unit] if case.co_unit is not None and case.co_unit != unit else []
        case.lead = services.opinion_refer(
            opinion=case.opinion,
            by=case.triager,
            unit=unit,
            co_units=co_units,
            note=case.refer_note,
        )
        self._expect_due(case, due)
        case.co = None
        if co_units:
            # The co-unit finds its referral on the case page, beside the lead's.
            case.co = next(
                r
                for r in selectors.opinion_referrals(case.opinion)
                if r.unit_id == co_units[0].pk and r.assigned_at == case.lead.assigned_at
            )

    def _expect_due(self, case: Case, due: datetime.date) -> None:
        if case.lead.due_date != due:
            raise RuntimeError(
                f"demo opinion {case.index}: planned due {due}, the services set "
                f"{case.lead.due_date}"
            )

    def _handler(self, referral) -> User:
        return self.handler[referral.unit_id]

    def _return(self, case: Case) -> None:
        lead = case.lead
        services.referral_return(
            referral=lead,
            by=self._handler(lead),
            reason=texts.RETURN_REASON.format(unit=case.units[1].name),
        )

    def _referral_accept(self, case: Case, *, co: bool) -> None:
        referral = case.co if co else case.lead
        services.referral_accept(referral=referral, by=self._handler(referral))

    def _extension_request(self, case: Case) -> None:
        case.extension = services.extension_request(
            referral=case.lead,
            by=self._handler(case.lead),
            working_days=case.extension_days,
            reason=case.extension_reason,
        )

    def _extension_decide(self, case: Case, due: datetime.date) -> None:
        services.extension_decide(
            extension=case.extension, by=case.triager, approve=True, note=case.extension_note
        )
        # The new due date, as the case page shows it.
        case.lead = selectors.lead_referral(case.opinion)
        self._expect_due(case, due)

    def _reply(self, case: Case, *, co: bool, cycle: int) -> None:
        referral = case.co if co else case.lead
        if co:
            text = texts.CO_REPLY.format(subject=case.opinion.subject)
        else:
            text = self._reply_text(case, referral.unit, cycle)
        reply = services.reply_submit(referral=referral, by=self._handler(referral), text=text)
        if not co:
            case.reply = reply

    def _send(self, case: Case) -> None:
        reply = case.reply
        reviewer = self.deputy_user if reply.on_the_spot else case.reviewer
        text = reply.text + texts.SENT_SUFFIX if case.edited else None
        case.reply = services.reply_send(reply=reply, by=reviewer, text_sent=text)

    def _rating(self, case: Case, n: int) -> None:
        score, comment = case.scores[n], case.comments[n]
        if case.by_phone:
            reviewer = self.deputy_user if case.reply.on_the_spot else case.reviewer
            services.rating_record(
                opinion=case.opinion,
                by=reviewer,
                score=score,
                comment=comment,
                method=Rating.Method.PHONE,
            )
        else:
            services.rating_submit(opinion=case.opinion, score=score, comment=comment)
