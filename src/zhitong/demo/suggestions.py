"""Demo suggestions (演示代表建议): one session's deputies' suggestions, lived through the services.

The demo district's congress holds its session in January of the demo's year; its deputies
raise about 150 suggestions during it (大会期间) and a few in the recess after it
(闭会期间). Each is taken along a path from 提 to 评: drafted (some raised from opinions),
co-signed or declined, reviewed by its street committee and the district (some returned
and submitted again, one sent to the opinions' handling, one marked 批评和意见), registered
and numbered, assigned at an assignment meeting (交办会) by the government office, signed
for or refused and reassigned, contact before replying, the co-units' views, replies of
class A/B/C/D with their signed letter and commitments, extensions, chases, the lead
deputy's back-to-back rating (some handled again and rated again), commitments reported
and verified (some still open, some overdue); and those still open today in every state.

As for the demo opinions (zhitong.demo.opinions), nothing here writes a suggestion, an
assignment, a reply, a rating or an event itself: every step is a call to
zhitong.suggestions.services or zhitong.handling.services by the account that would make
it, at its own moment (time-machine), all steps of all suggestions in time order, with
the daily checks (deadlines passing, commitments passing) after each midnight. Only the
structure the services read is written directly: the session, the district's settings
(with its government office) and the accounts that act (a street committee per street,
leaders, the government office, a handler per unit).

What a suggestion is (words, deputy, units, path) is drawn from random streams seeded
with the district code; when things happen is counted from the session's opening and,
for the recess and what is still open, back from the seed date.

Supervision activities, the reception day and the quality review are left to
`DemoSuggestions._supervision`, `._reception_day` and `._quality_review`, empty here and
called last (`_later_parts`), once the suggestions exist.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from zhitong.accounts.models import Role, User
from zhitong.demo import people
from zhitong.demo import suggestion_texts as texts
from zhitong.demo.accounts import (
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    SUGGESTION_ACCOUNTS,
)
from zhitong.demo.opinions import _delivered_at_the_step
from zhitong.deputies.models import (
    Deputy,
    DeputyLevel,
    GroupKind,
    GroupMembership,
    MembershipStatus,
    Term,
)
from zhitong.handling import services as handling
from zhitong.handling.models import Assignment
from zhitong.opinions import tracking
from zhitong.opinions.models import Opinion
from zhitong.opinions.tracking import ALPHABET, LENGTH, format_code
from zhitong.regions.models import Region, RegionLevel
from zhitong.suggestions import lifecycle, services
from zhitong.suggestions import services_supervision as supervision
from zhitong.suggestions.models import (
    Commitment,
    CongressSession,
    Contact,
    DistrictSettings,
    QualityReview,
    Status,
    Suggestion,
    SupervisionActivity,
)
from zhitong.suggestions.services import CHECK_KEYS, CommitmentInput
from zhitong.units.models import Category, HandlingUnit, UnitKind, route_for
from zhitong.workdays.selectors import working_calendar

logger = logging.getLogger(__name__)

SEED = "zhitong-demo-suggestions-v1"
ALL_CHECKS = dict.fromkeys(CHECK_KEYS, True)
DAILY_CHECK_TIME = datetime.time(0, 40)
# The session opens on this day of January of the demo's year and sits four days.
OPENS = (1, 6)
SITS_DAYS = 3
# The demo's year: the one whose January lies at least this many days before the seed,
# so the session's suggestions have had their whole course.
YEAR_BACK_DAYS = 330
SATISFIED, BASICALLY, UNSATISFIED = "satisfied", "basically", "unsatisfied"
GOVERNMENT_OFFICE_KEY = "office"
LEADERS = 3  # the demo leader and two more members of the directors' meeting
KEY_SUGGESTIONS = 6


@dataclass(frozen=True)
class Path:
    """How a suggestion goes, and the status it stops in."""

    name: str
    count: int
    final: str
    # "session": raised while it sits, assigned at the meeting after it; "recess1" /
    # "recess2" / "recess3": raised later, assigned at a meeting 110 / 75 days / 8
    # working days before the seed; "early": not assigned yet.
    stage: str = "session"
    classes: tuple[str, ...] = ()  # the lead unit's replies
    scores: tuple[str, ...] = ()  # the deputy's ratings of the result
    commitments: str = ""  # "verified", "open", "overdue", "partly"
    late: bool = False  # replied after its due date
    extension: str = ""  # "approved" or "pending"
    refused: bool = False  # the lead unit refused it; reassigned
    returned: bool = False  # returned for revision in review, then submitted again
    co_unit: bool = False
    chase: bool = False
    key: bool = False
    raised: bool = False  # raised from the deputy's opinions


PATHS: tuple[Path, ...] = (
    # Assigned at the meeting after the session: mostly done by now.
    Path("closed_a", 20, Status.CLOSED, classes=("A",), scores=(SATISFIED,), co_unit=True),
    Path("closed_a_returned", 6, Status.CLOSED, classes=("A",), scores=(BASICALLY,), returned=True),
    Path("closed_c", 6, Status.CLOSED, classes=("C",), scores=(BASICALLY,)),
    Path("closed_d", 6, Status.CLOSED, classes=("D",), scores=(BASICALLY,)),
    Path(
        "closed_b_verified",
        16,
        Status.CLOSED,
        classes=("B",),
        scores=(SATISFIED,),
        commitments="verified",
    ),
    Path(
        "key_verified",
        2,
        Status.CLOSED,
        classes=("B",),
        scores=(SATISFIED,),
        commitments="verified",
        key=True,
        chase=True,
    ),
    Path(
        "carrying_open",
        8,
        Status.CARRYING_OUT,
        classes=("B",),
        scores=(SATISFIED,),
        commitments="open",
    ),
    Path(
        "key_open",
        2,
        Status.CARRYING_OUT,
        classes=("B",),
        scores=(BASICALLY,),
        commitments="open",
        key=True,
        chase=True,
    ),
    Path(
        "carrying_overdue",
        5,
        Status.CARRYING_OUT,
        classes=("B",),
        scores=(BASICALLY,),
        commitments="overdue",
    ),
    Path(
        "key_overdue",
        1,
        Status.CARRYING_OUT,
        classes=("B",),
        scores=(SATISFIED,),
        commitments="overdue",
        key=True,
    ),
    Path(
        "carrying_partly",
        4,
        Status.CARRYING_OUT,
        classes=("B",),
        scores=(SATISFIED,),
        commitments="partly",
    ),
    Path("rehandled_closed", 5, Status.CLOSED, classes=("C", "A"), scores=(UNSATISFIED, SATISFIED)),
    Path(
        "key_rehandled",
        1,
        Status.CLOSED,
        classes=("D", "A"),
        scores=(UNSATISFIED, BASICALLY),
        key=True,
        chase=True,
    ),
    Path(
        "rehandled_unsatisfied",
        2,
        Status.CLOSED,
        classes=("C", "C"),
        scores=(UNSATISFIED, UNSATISFIED),
    ),
    Path(
        "rehandled_carrying",
        2,
        Status.CARRYING_OUT,
        classes=("D", "B"),
        scores=(UNSATISFIED, BASICALLY),
        commitments="open",
    ),
    Path(
        "late_reply",
        4,
        Status.CLOSED,
        classes=("A",),
        scores=(BASICALLY,),
        late=True,
        chase=True,
    ),
    Path(
        "extended",
        4,
        Status.CLOSED,
        classes=("A",),
        scores=(SATISFIED,),
        extension="approved",
    ),
    Path("refused", 4, Status.CLOSED, classes=("A",), scores=(SATISFIED,), refused=True),
    Path("criticism", 1, Status.CLOSED, classes=("D",), scores=(BASICALLY,)),
    Path("converted", 1, Status.CONVERTED),
    # Raised in the recess and assigned 110 days ago: past due, or done.
    Path("overdue_open", 4, Status.HANDLING, stage="recess1", chase=True, co_unit=True),
    Path("recess_closed", 3, Status.CLOSED, stage="recess1", classes=("A",), scores=(SATISFIED,)),
    Path(
        "raised_closed",
        2,
        Status.CLOSED,
        stage="recess1",
        classes=("A",),
        scores=(BASICALLY,),
        raised=True,
    ),
    # Assigned 75 days ago.
    Path("replied_waiting", 5, Status.REPLIED, stage="recess2", classes=("B",), commitments="open"),
    Path("replied_waiting_a", 2, Status.REPLIED, stage="recess2", classes=("A",)),
    Path(
        "rehandling_now",
        3,
        Status.REHANDLING,
        stage="recess2",
        classes=("C",),
        scores=(UNSATISFIED,),
    ),
    Path("extension_pending", 1, Status.HANDLING, stage="recess2", extension="pending"),
    # Assigned 8 working days ago.
    Path("assigned_pending", 4, Status.ASSIGNED, stage="recess3"),
    Path("handling_fresh", 4, Status.HANDLING, stage="recess3", co_unit=True),
    # Not assigned yet.
    Path("registered", 3, Status.REGISTERED, stage="early"),
    Path("reviewed", 3, Status.REVIEWED, stage="early"),
    Path("district_review", 3, Status.DISTRICT_REVIEW, stage="early"),
    Path("street_review", 4, Status.STREET_REVIEW, stage="early"),
    Path("returned", 2, Status.RETURNED, stage="early"),
    Path("draft", 5, Status.DRAFT, stage="early"),
)
TOTAL = sum(p.count for p in PATHS)
# The demo deputy leads these (its home: drafts, one to rate, open ones), and the demo
# unit (the demo street's office) handles the demo street's matters among the open ones.
DEMO_DEPUTY_PATHS = {
    "closed_a": 1,
    "closed_b_verified": 1,
    "carrying_open": 1,
    "replied_waiting": 1,
    "handling_fresh": 1,
    "street_review": 1,
    "returned": 1,
    "draft": 3,
}
DEMO_UNIT_PATHS = {
    "overdue_open": 1,
    "replied_waiting": 1,
    "assigned_pending": 2,
    "handling_fresh": 2,
    "carrying_open": 1,
    "closed_b_verified": 1,
}
# Street-routed subjects (the street office leads them where they arise).
STREET_CATEGORIES = ("MS01", "SZ01", "SZ02", "CS03")


def ensure_suggestions(district: Region, *, now: datetime.datetime | None = None) -> int:
    """Build the demo suggestions of `district` unless it has suggestions; how many.

    Needs the demo accounts and the deputies' accounts. Call inside the district's
    transaction, after the opinions (some suggestions are raised from them).
    """
    if Suggestion.objects.filter(district=district).exists():
        return 0
    builder = DemoSuggestions(district, now or timezone.now())
    if not builder.load():
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return builder.build()


def letter_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF (the signed reply letter stands in for the scanned one):
    a few lines of ASCII text in Helvetica, with a correct cross-reference table."""
    text = " ".join(
        f"BT /F1 11 Tf 72 {770 - 18 * n} Td ({line}) Tj ET" for n, line in enumerate(lines)
    ).encode("ascii")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(text) + text + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _upload(name: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, letter_pdf(lines), content_type="application/pdf")


@dataclass(eq=False)
class Plan:
    """One suggestion as planned, and what the services returned for it."""

    index: int
    path: Path
    deputy: Deputy | None = None
    street: Region | None = None
    community: str = ""
    topic: texts.Topic | None = None
    title: str = ""
    content: str = ""
    category: Category | None = None
    lead: HandlingUnit | None = None
    second_lead: HandlingUnit | None = None  # after a refusal
    co_units: list[HandlingUnit] = field(default_factory=list)
    cosigners: list[tuple[Deputy, bool | None]] = field(default_factory=list)
    key_leader: User | None = None
    chaser: User | None = None
    during_session: bool = True
    opinions: list[Opinion] = field(default_factory=list)
    steps: list[tuple[datetime.datetime, Callable[[], None]]] = field(default_factory=list)
    # What the services returned.
    suggestion: Suggestion | None = None
    extension: object = None
    level: str = ""  # whose review it waits for: "street" or "district"
    lead_asg: Assignment | None = None
    co_asg: Assignment | None = None

    def add(self, at: datetime.datetime, run: Callable[[], None]) -> None:
        self.steps.append((at, run))


class DemoSuggestions:
    """Plans the demo suggestions of one district, then lives them through the services."""

    def __init__(self, district: Region, now: datetime.datetime):
        self.district = district
        self.now = now
        self.zone = timezone.get_default_timezone()
        self.today = timezone.localdate(now, self.zone)
        self.plans: list[Plan] = []
        self.meetings: list[tuple[datetime.datetime, list[Plan], int]] = []

    def _rng(self, purpose: str) -> random.Random:
        return random.Random(f"{SEED}/{self.district.code}/{purpose}")

    # structure ------------------------------------------------------------------------------

    def load(self) -> bool:
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES.values())}
        needed = [Role.STAFF, Role.STREET, Role.DEPUTY, Role.UNIT, Role.LEADER]
        if any(DEMO_USERNAMES[role] not in users for role in needed):
            return False
        self.staff = users[DEMO_USERNAMES[Role.STAFF]]
        self.street_user = users[DEMO_USERNAMES[Role.STREET]]
        self.deputy_user = users[DEMO_USERNAMES[Role.DEPUTY]]
        self.unit_user = users[DEMO_USERNAMES[Role.UNIT]]
        self.leader = users[DEMO_USERNAMES[Role.LEADER]]
        self.demo_deputy = Deputy.objects.filter(user=self.deputy_user).first()
        if self.demo_deputy is None:
            return False
        self.demo_street = self.street_user.region
        self.streets = list(
            Region.objects.filter(parent=self.district, level=RegionLevel.STREET).order_by("code")
        )
        self.communities: dict[int, list[str]] = defaultdict(list)
        for street_id, name in (
            Region.objects.filter(parent__in=self.streets, level=RegionLevel.COMMUNITY)
            .order_by("code")
            .values_list("parent_id", "name")
        ):
            self.communities[street_id].append(name)
        self.units = list(
            HandlingUnit.objects.filter(region__in=[self.district, *self.streets])
            .select_related("region")
            .order_by("region__code", "name")
        )
        self.departments = [
            u for u in self.units if u.region_id == self.district.pk and u.kind == "department"
        ]
        self.office = next(
            (u for u in self.departments if u.short_name == "区政府办"),
            None,
        )
        self.demo_unit = self.unit_user.unit
        self.categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        # The deputies who may lead one: the district's serving deputies with an account,
        # each in its street group (whose committee reviews first).
        serving = set(
            Deputy.objects.filter(
                district=self.district,
                user__isnull=False,
                memberships__level=DeputyLevel.DISTRICT,
                memberships__status=MembershipStatus.SERVING,
            ).values_list("pk", flat=True)
        )
        street_of: dict[int, int] = {}
        for deputy_id, region_id in (
            GroupMembership.objects.filter(
                group__kind=GroupKind.STREET,
                group__region__in=self.streets,
                deputy_id__in=serving,
                end_date__isnull=True,
            )
            .order_by("deputy_id", "-start_date", "-pk")
            .values_list("deputy_id", "group__region_id")
        ):
            street_of.setdefault(deputy_id, region_id)
        if self.demo_deputy.pk not in street_of:
            return False
        self.deputies = list(
            Deputy.objects.filter(pk__in=street_of).select_related("user").order_by("public_code")
        )
        self.street_of = street_of
        self.region = {s.pk: s for s in self.streets}
        self.calendar = working_calendar()
        return True

    def _structure(self) -> None:
        """The session, the district's settings and the accounts that act."""
        rng = self._rng("accounts")
        year = (self.now - datetime.timedelta(days=YEAR_BACK_DAYS)).astimezone(self.zone).year
        opens = datetime.date(year, *OPENS)
        term = (
            Term.objects.filter(
                region=self.district, level=DeputyLevel.DISTRICT, start_date__lte=opens
            )
            .order_by("-start_date")
            .first()
        )
        if term is None:
            term = Term.objects.create(
                region=self.district,
                level=DeputyLevel.DISTRICT,
                number=16,
                start_date=datetime.date(year - 3, 1, 1),
            )
        # The term's first session sits in its first January; one a year after that.
        number = max(1, year - term.start_date.year + (1 if term.start_date.month == 1 else 0))
        self.session, _ = CongressSession.objects.get_or_create(
            term=term,
            number=number,
            defaults={
                "district": self.district,
                "opens_on": opens,
                "closes_on": opens + datetime.timedelta(days=SITS_DAYS),
            },
        )
        self.opens = self.session.opens_on

        if self.office is None:
            self.office = HandlingUnit.objects.create(
                name=f"{self.district.name}人民政府办公室",
                short_name="区政府办",
                kind=UnitKind.DEPARTMENT,
                region=self.district,
            )
            self.units.append(self.office)
            self.departments.append(self.office)
        DistrictSettings.objects.update_or_create(
            district=self.district, defaults={"government_office": self.office}
        )

        password = make_password(DEMO_PASSWORD)
        unusable = make_password(None)
        wanted: list[User] = []
        for account in SUGGESTION_ACCOUNTS:
            wanted.append(
                User(
                    username=account.username,
                    display_name=account.display_name,
                    role=account.role,
                    unit=self.office,
                    password=password,
                )
            )
        for n in range(2, LEADERS + 1):
            name = people.person_name(rng, rng.choice("MF"))
            wanted.append(
                User(
                    username=f"demo-leader-{self.district.code}-{n}",
                    display_name=f"{name}（常委会副主任）",
                    role=Role.LEADER,
                    region=self.district,
                    password=unusable,
                )
            )
        committees = {
            u.region_id
            for u in User.objects.filter(role=Role.STREET, region__in=self.streets, is_active=True)
        }
        for street in self.streets:
            if street.pk in committees:
                continue
            name = people.person_name(rng, rng.choice("MF"))
            wanted.append(
                User(
                    username=f"demo-street-{street.code}",
                    display_name=f"{name}（{street.name}人大工委）",
                    role=Role.STREET,
                    region=street,
                    password=unusable,
                )
            )
        handlers = {
            u.unit_id: u
            for u in User.objects.filter(role=Role.UNIT, unit__in=self.units, is_active=True)
            .exclude(username__in=[a.username for a in SUGGESTION_ACCOUNTS])
            .order_by("-pk")
        }
        handlers[self.demo_unit.pk] = self.unit_user
        for unit in self.units:
            if unit.pk in handlers:
                continue
            digest = hashlib.blake2s(unit.name.encode(), digest_size=4).hexdigest()
            name = people.person_name(rng, rng.choice("MF"))
            wanted.append(
                User(
                    username=f"demo-unit-{digest}",
                    display_name=f"{name}（{unit.short_name or unit.name}）",
                    role=Role.UNIT,
                    unit=unit,
                    password=unusable,
                )
            )
        existing = {
            u.username: u for u in User.objects.filter(username__in=[u.username for u in wanted])
        }
        User.objects.bulk_create([u for u in wanted if u.username not in existing])
        made = {u.username: existing.get(u.username, u) for u in wanted}
        for user in made.values():
            if user.role == Role.UNIT and user.unit_id not in handlers:
                handlers[user.unit_id] = user
        self.handler = handlers
        self.government = made[SUGGESTION_ACCOUNTS[0].username]
        self.leaders = [self.leader] + [
            made[f"demo-leader-{self.district.code}-{n}"] for n in range(2, LEADERS + 1)
        ]
        self.committee = {
            u.region_id: u
            for u in User.objects.filter(
                role=Role.STREET, region__in=self.streets, is_active=True
            ).order_by("-pk")
        }
        self.committee[self.demo_street.pk] = self.street_user

    # plan ------------------------------------------------------------------------------------

    def build(self) -> int:
        self._structure()
        self._plan()
        self._schedule()
        self._execute()
        self._later_parts()
        return len(self.plans)

    def _plan(self) -> None:
        self.plans = [
            Plan(index=i, path=path)
            for i, path in enumerate(path for path in PATHS for _ in range(path.count))
        ]
        by_path: dict[str, list[Plan]] = defaultdict(list)
        for plan in self.plans:
            by_path[plan.path.name].append(plan)
        demo_deputy_plans = {
            id(p) for name, n in DEMO_DEPUTY_PATHS.items() for p in by_path[name][:n]
        }
        demo_unit_plans = {id(p) for name, n in DEMO_UNIT_PATHS.items() for p in by_path[name][-n:]}
        demo_street_deputies = [
            d
            for d in self.deputies
            if self.street_of[d.pk] == self.demo_street.pk and d.pk != self.demo_deputy.pk
        ]
        others = [d for d in self.deputies if d.pk != self.demo_deputy.pk]
        topics = list(texts.TOPICS)
        street_topics = [t for t in topics if t.category in STREET_CATEGORIES]
        key_leaders = iter(self.leaders * KEY_SUGGESTIONS)
        raised_opinions = self._opinions_to_raise()

        for plan in self.plans:
            # A stream per suggestion: one drawn otherwise (a deputy raising opinions, who
            # depends on the opinions of the half year) leaves the others as they were.
            rng = self._rng(f"plan/{plan.index}")
            path = plan.path
            plan.deputy = rng.choice(others)
            if id(plan) in demo_deputy_plans:
                plan.deputy = self.demo_deputy
            elif id(plan) in demo_unit_plans:
                plan.deputy = rng.choice(demo_street_deputies)
            elif path.raised and raised_opinions:
                deputy, opinion = raised_opinions.pop(0)
                plan.deputy, plan.opinions = deputy, [opinion]
            plan.street = self.region[self.street_of[plan.deputy.pk]]
            communities = self.communities[plan.street.pk] or [plan.street.name]
            plan.community = rng.choice(communities)
            if id(plan) in demo_unit_plans:
                plan.topic = rng.choice(street_topics)
            else:
                plan.topic = rng.choice(topics)
            fill = {"street": plan.street.name, "community": plan.community}
            plan.category = self.categories[plan.topic.category]
            if plan.opinions:
                opinion = plan.opinions[0]
                plan.title = f"关于{opinion.subject.rstrip('。')}的建议"[:100]
                plan.content = texts.RAISE_CONTENT.format(subject=opinion.subject)
                plan.category = opinion.category or plan.category
            else:
                plan.title = plan.topic.title.format(**fill)
                plan.content = plan.topic.content.format(**fill)
                if rng.random() < 0.08:
                    plan.content += texts.SEVERAL_MATTERS_SUFFIX
            if id(plan) in demo_unit_plans:
                plan.lead = self.demo_unit
            else:
                plan.lead = route_for(plan.category, plan.street) or self.office
            if path.refused:
                plan.second_lead = rng.choice([u for u in self.departments if u != plan.lead])
            if path.co_unit:
                plan.co_units = [rng.choice([u for u in self.departments if u != plan.lead])]
            plan.during_session = path.stage == "session"
            if path.key:
                plan.key_leader = next(key_leaders)
            if path.chase:
                plan.chaser = plan.key_leader or rng.choice([self.staff, None])
            # Co-signers: most suggestions have some, from the lead's street group mostly.
            if path.stage != "early" or path.name in ("street_review", "draft"):
                n = rng.choice((0, 0, 1, 1, 1, 2, 3))
                pool = [d for d in others if d.pk != plan.deputy.pk]
                chosen = rng.sample(pool, n)
                plan.cosigners = [(d, rng.random() > 0.15) for d in chosen]
        # The demo deputy has invitations to answer and has answered others.
        for plan in by_path["street_review"][1:3] + by_path["draft"][3:5]:
            if plan.deputy.pk != self.demo_deputy.pk:
                plan.cosigners = [c for c in plan.cosigners if c[0].pk != self.demo_deputy.pk]
                plan.cosigners.append((self.demo_deputy, None))
        for plan, accept in ((by_path["closed_a"][3], True), (by_path["closed_c"][0], False)):
            plan.cosigners = [c for c in plan.cosigners if c[0].pk != self.demo_deputy.pk]
            plan.cosigners.append((self.demo_deputy, accept))
        # The demo deputy's first draft waits for answers to its invitations.
        first_draft = next(p for p in by_path["draft"] if p.deputy.pk == self.demo_deputy.pk)
        first_draft.cosigners = [(d, None) for d, _ in first_draft.cosigners] or [(others[0], None)]

    def _opinions_to_raise(self) -> list[tuple[Deputy, Opinion]]:
        """Closed opinions of a deputy, each closed before the recess's drafts start, to raise
        into suggestions (as many as the path wants)."""
        wanted = sum(p.count for p in PATHS if p.raised)
        assert all(p.stage == "recess1" for p in PATHS if p.raised)
        # Closed at least 31 days before the recess meeting they go to (as _schedule sets
        # it): their drafts start after the opinion closed (_schedule), and still leave the
        # month the filing needs. (A fixed 160 days before now found next to none: the
        # half year's first closures fall around then.)
        meeting = self.meeting_day(self.today - datetime.timedelta(days=110))
        before = meeting - datetime.timedelta(days=31)
        found = []
        candidates = (
            Opinion.objects.filter(
                district=self.district,
                status="closed",
                closed_at__lt=before,
                deputy__in=[d for d in self.deputies if d.pk != self.demo_deputy.pk],
            )
            .select_related("deputy", "category")
            .order_by("received_at", "pk")
        )
        seen = set()
        for opinion in candidates[:200]:
            if opinion.deputy_id in seen:
                continue
            seen.add(opinion.deputy_id)
            found.append((opinion.deputy, opinion))
            if len(found) == wanted:
                break
        return found

    # when: moments ----------------------------------------------------------------------------

    def at(self, day: datetime.date, minutes: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(8, 50), tzinfo=self.zone) + (
            datetime.timedelta(minutes=minutes)
        )

    def office_time(self, rng, day: datetime.date) -> datetime.datetime:
        """An office moment on `day`, or the next working day."""
        while not self.calendar.is_working_day(day):
            day += datetime.timedelta(days=1)
        return self.at(day, rng.randint(0, 460))

    def office_before(self, rng, day: datetime.date) -> datetime.datetime:
        """An office moment on `day`, or the working day before (days counted back from
        the seed date stay in the past)."""
        while not self.calendar.is_working_day(day):
            day -= datetime.timedelta(days=1)
        return self.at(day, rng.randint(0, 460))

    def ago(self, rng, low: int, high: int) -> datetime.datetime:
        """An office moment `low`..`high` days before the seed date."""
        return self.office_before(rng, self.today - datetime.timedelta(days=rng.randint(low, high)))

    def before(self, rng, moment: datetime.datetime, low: int, high: int) -> datetime.datetime:
        day = self.local(moment) - datetime.timedelta(days=rng.randint(low, high))
        return self.office_before(rng, day)

    def working_days_before(self, day: datetime.date, days: int) -> datetime.date:
        while days:
            day -= datetime.timedelta(days=1)
            if self.calendar.is_working_day(day):
                days -= 1
        return day

    def working_after(self, rng, moment: datetime.datetime, low: int, high: int):
        day = self.local(moment)
        later = self.calendar.add_working_days(day, rng.randint(low, high)).due
        return max(self.office_time(rng, later), moment + datetime.timedelta(minutes=10))

    def days_after(self, rng, moment: datetime.datetime, low: int, high: int):
        day = self.local(moment) + datetime.timedelta(days=rng.randint(low, high))
        return max(self.office_time(rng, day), moment + datetime.timedelta(minutes=10))

    def local(self, moment: datetime.datetime) -> datetime.date:
        return timezone.localdate(moment, self.zone)

    def meeting_day(self, day: datetime.date) -> datetime.datetime:
        while not self.calendar.is_working_day(day):
            day += datetime.timedelta(days=1)
        return self.at(day, 60)  # 9:50, the meeting's morning

    # when: each suggestion ------------------------------------------------------------------

    def _schedule(self) -> None:
        rng = self._rng("when")
        first_meeting = self.meeting_day(self.opens + datetime.timedelta(days=35))
        recess = {
            "recess1": self.meeting_day(self.today - datetime.timedelta(days=110)),
            "recess2": self.meeting_day(self.today - datetime.timedelta(days=75)),
            "recess3": self.at(self.working_days_before(self.today, 8), 60),
        }
        batches: dict[datetime.datetime, list[Plan]] = defaultdict(list)
        for plan in self.plans:
            stage = plan.path.stage
            if stage == "session":
                start = self.at(self.opens + datetime.timedelta(days=rng.randint(0, 2)), 0)
                start += datetime.timedelta(minutes=rng.randint(0, 600))
                meeting = first_meeting
            elif stage == "early":
                meeting = None
                start = self._early_start(rng, plan)
            else:
                meeting = recess[stage]
                start = self.before(rng, meeting, 30, 45)
                if plan.opinions:
                    # Raised from an opinion: drafted once it closed.
                    closed = max(o.closed_at for o in plan.opinions)
                    start = max(start, closed + datetime.timedelta(minutes=rng.randint(60, 600)))
            registered = self._plan_filing(rng, plan, start, meeting)
            if meeting is None or registered is None:
                continue
            assert registered < meeting, plan.path.name
            batches[meeting].append(plan)
            self._plan_handling(rng, plan, meeting)
        for n, (moment, plans) in enumerate(sorted(batches.items()), 1):
            self.meetings.append((moment, plans, n))

    def _early_start(self, rng, plan: Plan) -> datetime.datetime:
        back = {
            "registered": (34, 28),
            "reviewed": (24, 20),
            "district_review": (12, 9),
            "street_review": (6, 4),
            "returned": (16, 12),
            "draft": (9, 1),
        }[plan.path.name]
        return self.ago(rng, back[1], back[0])

    def _plan_filing(self, rng, plan: Plan, t, meeting) -> datetime.datetime | None:
        """From the draft to the registration; the moment it was registered (None: it stops
        before)."""
        path = plan.path
        final = path.final
        if plan.opinions:
            plan.add(t, lambda: self._raise(plan))
        else:
            plan.add(t, lambda: self._draft(plan))
        if plan.cosigners:
            t = t + datetime.timedelta(minutes=rng.randint(5, 40))
            plan.add(t, lambda: self._invite(plan))
            answered = t
            for deputy, accept in plan.cosigners:
                if accept is None:
                    continue
                moment = answered + datetime.timedelta(minutes=rng.randint(30, 900))
                answered = max(answered, moment)
                plan.add(moment, lambda d=deputy, a=accept: self._respond(plan, d, a))
            t = answered
        if final == Status.DRAFT:
            return None
        t = t + datetime.timedelta(minutes=rng.randint(20, 600))
        if path.stage == "session":
            # During the session the deputies hand theirs in before it closes.
            t = min(t, self.at(self.session.closes_on, 480))
        plan.add(t, lambda: self._submit(plan))
        t = self.working_after(rng, t, 1, 3)
        if path.returned or final == Status.RETURNED:
            comment = rng.choice(texts.RETURN_COMMENTS)
            plan.add(t, lambda: self._review(plan, "return", comment=comment))
            if final == Status.RETURNED:
                return None
            t = self.days_after(rng, t, 1, 3)
            plan.add(t, lambda: self._revise(plan))
            t = t + datetime.timedelta(minutes=rng.randint(5, 60))
            plan.add(t, lambda: self._submit(plan))
            t = self.working_after(rng, t, 1, 2)
        if final == Status.STREET_REVIEW:
            return None
        if final == Status.CONVERTED:
            plan.add(t, lambda: self._review(plan, "convert", comment=texts.CONVERT_COMMENT))
            return None
        plan.add(t, lambda: self._review(plan, "pass"))
        if final == Status.DISTRICT_REVIEW:
            return None
        t = self.working_after(rng, t, 1, 3)
        criticism = path.name == "criticism"
        plan.add(t, lambda: self._review(plan, "pass", criticism=criticism))
        if final == Status.REVIEWED:
            return None
        if meeting is not None:
            t = max(self.before(rng, meeting, 4, 14), self.working_after(rng, t, 1, 2))
        else:
            t = self.working_after(rng, t, 1, 3)
        plan.add(t, lambda: self._register(plan))
        return t

    def _plan_handling(self, rng, plan: Plan, meeting: datetime.datetime) -> None:
        path = plan.path
        t = meeting
        if path.refused:
            t = self.working_after(rng, t, 1, 3)
            plan.add(t, lambda: self._refuse(plan))
            t = self.working_after(rng, t, 1, 1)
            plan.add(t, lambda: self._reassign(plan))
            start = t
        else:
            start = meeting
        if path.final == Status.ASSIGNED:
            return
        t = self.working_after(rng, start, 1, 4)
        plan.add(t, lambda: self._accept(plan, co=False))
        co_views_at = None
        if plan.co_units:
            co = self.working_after(rng, start, 1, 3)
            plan.add(co, lambda: self._accept(plan, co=True))
            if path.final != Status.HANDLING or path.stage != "recess3":
                co_views_at = self.days_after(rng, co, 8, 22)
                plan.add(co_views_at, lambda: self._co_view(plan))
        if path.stage == "recess3":
            # Signed a few days ago: some have talked to their deputy already.
            if plan.index % 2:
                contacted = self.working_after(rng, t, 1, 2)
                plan.add(contacted, lambda: self._contact(plan, contacted))
            return
        contacted = self.days_after(rng, t, 3, 20)
        plan.add(contacted, lambda: self._contact(plan, contacted))
        if path.chase:
            chase_at = self.days_after(rng, start, 20, 30)
            if path.name == "overdue_open":
                chase_at = self.ago(rng, 4, 9)
            elif path.late:
                chase_at = self.days_after(rng, start, 95, 99)
            plan.add(chase_at, lambda: self._chase(plan))
        if path.extension:
            if path.extension == "pending":
                asked = self.ago(rng, 2, 5)
            else:
                asked = self.days_after(rng, start, 70, 80)
            plan.add(asked, lambda: self._extension_request(plan))
            if path.extension == "pending":
                return
            plan.add(self.working_after(rng, asked, 1, 2), lambda: self._extension_decide(plan))
        if not path.classes:
            return
        replied = self._reply_moment(rng, plan, start, contacted)
        if co_views_at is not None:
            replied = max(replied, co_views_at + datetime.timedelta(hours=3))
        for n, result_class in enumerate(path.classes):
            plan.add(replied, lambda n=n, c=result_class, r=replied: self._reply(plan, n, c, r))
            if n >= len(path.scores):
                return
            rated = self.days_after(rng, replied, 3, 12)
            if path.final == Status.REHANDLING:
                rated = self.ago(rng, 14, 20)
            attitude = rng.choice((SATISFIED, SATISFIED, BASICALLY))
            plan.add(rated, lambda n=n, a=attitude: self._rate(plan, n, a))
            if n + 1 < len(path.classes):
                replied = self.days_after(rng, rated, 10, 22)

    def _reply_moment(self, rng, plan: Plan, start, contacted) -> datetime.datetime:
        path = plan.path
        if path.late:
            moment = self.days_after(rng, start, 100, 112)
        elif path.extension:
            moment = self.days_after(rng, start, 100, 130)
        elif path.final == Status.REPLIED:
            moment = self.ago(rng, 3, 10)
        elif path.final == Status.REHANDLING:
            moment = self.ago(rng, 30, 38)
        elif path.stage == "session":
            moment = self.days_after(rng, start, 35, 80)
        else:
            moment = self.days_after(rng, start, 25, 50)
        return max(moment, contacted + datetime.timedelta(hours=2))

    def _commitments_for(self, rng, plan: Plan, n: int, replied) -> list[CommitmentInput]:
        """The dated commitments of the n-th reply (B class, and the second reply of a
        re-handled one naming what it will now do)."""
        kind = plan.path.commitments
        if not kind or plan.path.classes[n] != "B":
            return []
        fill = {"street": plan.street.name, "community": plan.community}
        text = plan.topic.commitment.format(**fill)
        day = self.local(replied)
        if kind == "verified":
            dues = [day + datetime.timedelta(days=rng.randint(60, 150))]
        elif kind == "open":
            dues = [self.today + datetime.timedelta(days=rng.randint(30, 200))]
        elif kind == "overdue":
            dues = [self.today - datetime.timedelta(days=rng.randint(10, 60))]
        else:  # partly: one carried out, one still to come
            dues = [
                day + datetime.timedelta(days=rng.randint(60, 120)),
                self.today + datetime.timedelta(days=rng.randint(40, 150)),
            ]
        items = [CommitmentInput(text, dues[0])]
        if len(dues) > 1:
            items.append(CommitmentInput(f"{text}（第二阶段）", dues[1]))
        elif rng.random() < 0.3 and kind != "overdue":
            items.append(CommitmentInput("建立长效管理机制并定期向代表通报进展", dues[0]))
        return items

    # live it ---------------------------------------------------------------------------------

    def _execute(self) -> None:
        steps: list[tuple[datetime.datetime, tuple[int, int], Callable[[], None]]] = []
        for plan in self.plans:
            for n, (moment, run) in enumerate(plan.steps):
                steps.append((moment, (1 + plan.index, n), run))
        for moment, plans, n in self.meetings:
            steps.append((moment, (0, n), lambda p=plans, n=n: self._assign(p, n)))
        steps.sort(key=lambda step: (step[0], step[1]))
        if steps[-1][0] >= self.now:
            raise RuntimeError(f"demo suggestions: a step planned after now ({steps[-1][0]})")
        first_meeting = min(moment for moment, _, _ in self.meetings)
        day = self.local(first_meeting) + datetime.timedelta(days=1)
        checks = []
        while (moment := datetime.datetime.combine(day, DAILY_CHECK_TIME, self.zone)) < self.now:
            checks.append((moment, (-1, 0), lambda day=day: self._daily_check(day)))
            day += datetime.timedelta(days=1)
        steps = sorted(steps + checks, key=lambda step: (step[0], step[1]))
        self.reports_rng = self._rng("reports")
        self.pending: list[tuple[datetime.datetime, tuple[int, int], Callable[[], None]]] = []
        with time_machine.travel(steps[0][0], tick=False) as traveller:
            queue = steps
            while queue:
                moment, order, run = queue.pop(0)
                traveller.move_to(moment)
                with _delivered_at_the_step():
                    run()
                if self.pending:
                    # Steps a step planned (the reports of commitments it made).
                    queue = sorted(queue + self.pending, key=lambda step: (step[0], step[1]))
                    self.pending = []

    def _daily_check(self, day: datetime.date) -> None:
        handling.deadlines_record_passings(today=day)
        services.commitments_record_passings(today=day)

    # --- later parts: supervision, the reception day, the quality review -------------------
    # Being built by another helper (issue 12): each part is one function, called last,
    # once every suggestion has lived its course (the steps above ran and the clock is
    # back). They are left empty here on purpose.

    def _later_parts(self) -> None:
        """The parts of the demo built after the suggestions, in this order."""
        self._supervision()
        self._reception_day()
        self._quality_review()

    def _supervision(self) -> None:
        """Supervision activities (督办) of the key suggestions still being handled: a
        meeting soon after the assignment and, for some, a site visit, recorded by the
        leader who leads each one (领衔督办)."""
        rng = self._rng("supervision")
        kinds = [SupervisionActivity.Kind.MEETING, SupervisionActivity.Kind.SITE_VISIT]
        for plan in self.plans:
            suggestion = plan.suggestion
            if plan.key_leader is None or suggestion is None:
                continue
            suggestion.refresh_from_db()
            if not suggestion.is_key or suggestion.assigned_at is None:
                continue
            if suggestion.status not in lifecycle.TRANSITIONS["supervise"][0]:
                continue
            start = self.local(suggestion.assigned_at)
            span = max(1, (self.today - start).days - 1)
            for n, kind in enumerate(kinds[: 1 + rng.randint(0, 1)]):
                held_on = start + datetime.timedelta(
                    days=min(span, 10 + 20 * n + rng.randint(0, 9))
                )
                supervision.supervision_record(
                    suggestion=suggestion,
                    by=plan.key_leader,
                    kind=kind,
                    held_on=min(held_on, self.today),
                    note=texts.SUPERVISION_NOTES[(plan.index + n) % len(texts.SUPERVISION_NOTES)],
                )

    def _reception_day(self) -> None:
        """The director's reception day (主任接待日) of last week, held with the agenda the
        platform proposed and each outcome recorded, and next month's, planned."""
        held_on = self.working_days_before(self.today, 5)
        day = supervision.reception_day_create(
            by=self.staff,
            district=self.district,
            held_on=held_on,
            director=self.leader,
            place=texts.RECEPTION_PLACE,
        )
        items = supervision.reception_agenda_propose(day=day, by=self.staff)
        if not items:
            return
        for n, item in enumerate(items):
            supervision.reception_outcome_record(
                item=item,
                by=self.staff,
                outcome=texts.RECEPTION_OUTCOMES[n % len(texts.RECEPTION_OUTCOMES)],
            )
        if len(items) >= 10:
            supervision.reception_day_hold(day=day, by=self.staff)
        upcoming = supervision.reception_day_create(
            by=self.staff,
            district=self.district,
            held_on=self.today + datetime.timedelta(days=28),
            director=self.leaders[-1],
            place=texts.RECEPTION_PLACE,
        )
        supervision.reception_agenda_propose(day=upcoming, by=self.staff)

    def _quality_review(self) -> None:
        """The quality review (质量评审) after the reply of a dozen replied suggestions, with
        problems for their units (some answered), and the second round of a few closed
        without commitments."""
        rng = self._rng("quality")
        grades = list(QualityReview.Grade.values)
        replied = [
            plan.suggestion
            for plan in self.plans
            if plan.suggestion is not None
            and Suggestion.objects.filter(
                pk=plan.suggestion.pk,
                status__in=[Status.REPLIED, Status.CARRYING_OUT, Status.CLOSED],
            ).exists()
        ]
        for n, suggestion in enumerate(replied[:12]):
            suggestion.refresh_from_db()
            lead = (
                Assignment.objects.filter(case_id=suggestion.case_id, role=Assignment.Role.LEAD)
                .exclude(state__in=[Assignment.State.RETURNED, Assignment.State.WITHDRAWN])
                .select_related("unit")
                .first()
            )
            problems = []
            if lead is not None and n % 3 != 0:
                problems = [
                    supervision.ProblemInput(
                        unit=lead.unit,
                        aspect=("compliance", "writing", "effect")[n % 3],
                        text=texts.QUALITY_PROBLEMS[n % len(texts.QUALITY_PROBLEMS)],
                    )
                ]
            review = supervision.quality_review_record(
                suggestion=suggestion,
                by=self.staff,
                round=QualityReview.Round.AFTER_REPLY,
                compliance=rng.choice(grades[:2]),
                writing=rng.choice(grades),
                effect=rng.choice(grades),
                comment=texts.QUALITY_COMMENTS[n % len(texts.QUALITY_COMMENTS)],
                problems=problems,
            )
            for problem in review.problems.select_related("unit"):
                answerer = User.objects.filter(
                    unit=problem.unit, role=Role.UNIT, is_active=True
                ).first()
                if answerer is not None and n % 2 == 0:
                    supervision.quality_problem_answer(
                        problem=problem, by=answerer, answer=texts.QUALITY_ANSWER
                    )
            if (
                suggestion.status == Status.CLOSED
                and not suggestion.commitments.exists()
                and n % 2 == 1
            ):
                supervision.quality_review_record(
                    suggestion=suggestion,
                    by=self.staff,
                    round=QualityReview.Round.AFTER_COMMITMENTS,
                    compliance=grades[0],
                    writing=grades[0],
                    effect=rng.choice(grades[:2]),
                    comment=texts.QUALITY_COMMENTS[0],
                )

    # the calls ------------------------------------------------------------------------------

    def _user(self, deputy: Deputy) -> User:
        return deputy.user

    def _draft(self, plan: Plan) -> None:
        plan.suggestion = services.suggestion_draft(
            by=self._user(plan.deputy),
            title=plan.title,
            content=plan.content,
            category=plan.category,
            during_session=plan.during_session,
        )

    def _raise(self, plan: Plan) -> None:
        plan.suggestion = services.suggestion_raise_from_opinions(
            opinions=plan.opinions,
            by=self._user(plan.deputy),
            title=plan.title,
            content=plan.content,
        )

    def _invite(self, plan: Plan) -> None:
        services.cosigners_invite(
            suggestion=plan.suggestion,
            by=self._user(plan.deputy),
            deputies=[d for d, _ in plan.cosigners],
        )

    def _respond(self, plan: Plan, deputy: Deputy, accept: bool) -> None:
        services.cosigner_respond(suggestion=plan.suggestion, by=deputy.user, accept=accept)

    def _submit(self, plan: Plan) -> None:
        plan.suggestion = services.suggestion_submit(
            suggestion=plan.suggestion, by=self._user(plan.deputy)
        )
        plan.level = "street" if plan.suggestion.street_id else "district"

    def _revise(self, plan: Plan) -> None:
        s = plan.suggestion
        plan.suggestion = services.suggestion_edit(
            suggestion=s,
            by=self._user(plan.deputy),
            title=s.title,
            content=s.content + texts.REVISION_SUFFIX,
            category=s.category,
            street=s.street,
            session=s.session,
            during_session=s.during_session,
        )

    def _review(self, plan: Plan, outcome: str, *, comment: str = "", criticism=None) -> None:
        s = plan.suggestion
        if plan.level == "street":
            by = self.committee[s.street_id]
            if outcome == "pass":
                plan.level = "district"
        else:
            by = self.staff
            if criticism:
                comment = texts.CRITICISM_COMMENT
        # The opinion a conversion makes keeps its tracking code from build to build.
        with tracking.codes_from(demo_codes(self.district, plan.index)):
            services.suggestion_review(
                suggestion=s,
                by=by,
                outcome=outcome,
                checks=ALL_CHECKS,
                comment=comment,
                criticism=criticism or None,
            )

    def _register(self, plan: Plan) -> None:
        plan.suggestion = services.suggestion_register(
            suggestion=plan.suggestion,
            by=self.staff,
            category=plan.category,
            lead=plan.lead,
            co_units=plan.co_units,
            session=self.session,
            is_key=plan.key_leader is not None,
            key_leader=plan.key_leader,
        )

    def _assign(self, plans: list[Plan], n: int) -> None:
        services.suggestions_assign(
            suggestions=[p.suggestion for p in plans],
            by=self.government,
            note=texts.ASSIGN_NOTE.format(n=n),
        )
        # The assignments the meeting made, read once for the batch (each act re-reads and
        # locks its own).
        by_case = {p.suggestion.case_id: p for p in plans}
        for assignment in Assignment.objects.filter(case_id__in=by_case).order_by("pk"):
            plan = by_case[assignment.case_id]
            if assignment.role == Assignment.Role.LEAD:
                plan.lead_asg = assignment
            else:
                plan.co_asg = assignment

    def _assignment(self, plan: Plan, *, co: bool = False) -> Assignment:
        assignment = plan.co_asg if co else plan.lead_asg
        assert assignment is not None
        return assignment

    def _refuse(self, plan: Plan) -> None:
        lead = self._assignment(plan)
        handling.assignment_return(
            assignment=lead,
            by=self.handler[lead.unit_id],
            reason=texts.REFUSE_REASON.format(unit=plan.second_lead.name),
        )

    def _reassign(self, plan: Plan) -> None:
        plan.lead_asg = services.suggestion_reassign_returned(
            suggestion=plan.suggestion, by=self.staff, unit=plan.second_lead
        )

    def _accept(self, plan: Plan, *, co: bool) -> None:
        assignment = self._assignment(plan, co=co)
        handling.assignment_accept(assignment=assignment, by=self.handler[assignment.unit_id])

    def _co_view(self, plan: Plan) -> None:
        co = self._assignment(plan, co=True)
        services.suggestion_reply(
            assignment=co,
            by=self.handler[co.unit_id],
            text=texts.CO_VIEWS.format(what=plan.category.name),
        )

    def _contact(self, plan: Plan, moment: datetime.datetime) -> None:
        lead = self._assignment(plan)
        rng = random.Random(f"{SEED}/contact/{plan.index}")
        methods = list(Contact.Method.values)
        services.contact_record(
            suggestion=plan.suggestion,
            assignment=lead,
            by=self.handler[lead.unit_id],
            contacted_at=moment - datetime.timedelta(hours=rng.randint(1, 6)),
            method=rng.choice(methods[:4]),
            note=rng.choice(texts.CONTACT_NOTES),
        )

    def _chase(self, plan: Plan) -> None:
        lead = self._assignment(plan)
        if plan.key_leader is not None:
            by, note = plan.key_leader, texts.CHASE_NOTES[2]
        elif plan.chaser is not None:
            by, note = plan.chaser, texts.CHASE_NOTES[1 if plan.path.late else 0]
        else:
            by, note = self._user(plan.deputy), texts.CHASE_NOTES[0]
        if plan.path.name == "overdue_open":
            note = texts.CHASE_NOTES[1]
        handling.assignment_chase(assignment=lead, by=by, note=note)

    def _extension_request(self, plan: Plan) -> None:
        lead = self._assignment(plan)
        plan.extension = handling.extension_request(
            assignment=lead,
            by=self.handler[lead.unit_id],
            period=2,
            reason=texts.EXTENSION_REASON,
        )

    def _extension_decide(self, plan: Plan) -> None:
        handling.extension_decide(
            extension=plan.extension, by=self.staff, approve=True, note=texts.EXTENSION_NOTE
        )

    def _reply(self, plan: Plan, n: int, result_class: str, replied) -> None:
        rng = random.Random(f"{SEED}/reply/{plan.index}/{n}")
        lead = self._assignment(plan)
        fill = {"street": plan.street.name, "community": plan.community}
        commitments = self._commitments_for(rng, plan, n, replied)
        if n == 0:
            text = texts.REPLY_TEXTS[result_class].format(
                title=plan.suggestion.title,
                done=plan.topic.done.format(**fill),
                commitment=plan.topic.commitment.format(**fill),
            )
        else:
            what = (
                plan.topic.commitment.format(**fill)
                if commitments
                else plan.topic.done.format(**fill)
            )
            text = texts.REHANDLE_REPLY.format(commitment_or_done=what)
        suggestion = plan.suggestion
        letter = _upload(
            "答复函.pdf",
            [
                f"Reply letter, suggestion No. {suggestion.number}",
                f"Session {self.session.term.number}-{self.session.number}",
                f"Class {result_class}, reply {n + 1}",
            ],
        )
        services.suggestion_reply(
            assignment=lead,
            by=self.handler[lead.unit_id],
            text=text,
            result_class=result_class,
            files=[letter],
            commitments=commitments,
        )
        if commitments and plan.path.commitments in ("verified", "partly"):
            self._plan_commitment_reports(plan)

    def _plan_commitment_reports(self, plan: Plan) -> None:
        rng = self.reports_rng
        rows = list(
            Commitment.objects.filter(suggestion_id=plan.suggestion.pk).order_by("position")
        )
        for number, row in enumerate(rows):
            if row.due_date >= self.today - datetime.timedelta(days=10):
                continue  # still to come: stays open
            reported = self.office_before(
                rng, row.due_date - datetime.timedelta(days=rng.randint(5, 25))
            )
            reported = max(reported, timezone.now() + datetime.timedelta(days=10))
            verified = self.working_after(rng, reported, 2, 5)
            order = (1 + plan.index, 1000 + number)
            self.pending.append((reported, order, lambda pk=row.pk: self._report(pk)))
            self.pending.append(
                (verified, (order[0], order[1] + 100), lambda pk=row.pk: self._verify(pk))
            )

    def _rate(self, plan: Plan, n: int, attitude: str) -> None:
        score = plan.path.scores[n]
        comment = ""
        if score == UNSATISFIED:
            comment = texts.UNSATISFIED_COMMENTS[plan.index % len(texts.UNSATISFIED_COMMENTS)]
            attitude = BASICALLY
        elif score == BASICALLY:
            comment = "办理基本到位，希望加快进度。"
        services.suggestion_rate(
            suggestion=plan.suggestion,
            by=self._user(plan.deputy),
            result=score,
            attitude=attitude,
            comment=comment,
        )

    def _report(self, pk: int) -> None:
        commitment = Commitment.objects.get(pk=pk)
        evidence = _upload("落实材料.pdf", [f"Commitment {commitment.position} carried out"])
        services.commitment_report(
            commitment=commitment,
            by=self.handler[commitment.unit_id],
            report=texts.REPORT_TEXT.format(commitment=commitment.text),
            files=[evidence],
        )

    def _verify(self, pk: int) -> None:
        services.commitment_verify(
            commitment=Commitment.objects.get(pk=pk), by=self.staff, confirmed=True
        )


def demo_codes(district: Region, index: int) -> list[str]:
    """A tracking code for the opinion a demo review makes of suggestion `index`, drawn
    from the demo's seed (the intake draws another if it is taken)."""
    rng = random.Random(f"{SEED}/{district.code}/code/{index}")
    return [format_code("".join(rng.choice(ALPHABET) for _ in range(LENGTH)))]
