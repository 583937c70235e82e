"""Updating the deputy roster (更新代表名册): what a re-imported roster would change.

The stable key. A row is matched to a deputy of the district by its deputy code
(代表编码, the deputy's `public_code`) when the row has one: the code is never changed
or reused (it is printed on the deputy's QR code), so it finds the deputy even after a
change of name or a corrected birth year. A row without a code is matched by name and
birth year, with the ID tail (身份证后四位) telling namesakes apart where both have one —
the same identity the first import uses to refuse duplicates. Two deputies that this
cannot tell apart make the row an error that asks for the code. The roster layout has
no register number of its own, and the mobile number is optional and changes, so
neither could be the key.

What a row may change: the personal fields (a blank optional cell keeps what is
stored: a roster that leaves a mobile number out has not said it was removed), the
seats of the terms the row names (a new seat, or a changed constituency; seats of other
terms are history and stay), the station (a filled cell makes it the deputy's only
current station) and the groups (a filled cell makes them the deputy's current groups).

The roster does not say when or why a deputy left, so deputies of the district who
serve today but are not in the file are listed, never ended or deleted.

The preview is computed once and stored (`RosterPreview`): the rows with their changes
and what each becomes, and a fingerprint of every deputy of the district as the preview
read them. Applying writes exactly the stored changes, and refuses if the fingerprint
no longer matches (someone changed a deputy, or imported, in between).
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.sheets.reader import Issue, Sheet
from zhitong.deputies.models import (
    Deputy,
    DeputyGroup,
    DeputyLevel,
    DeputyMembership,
    Gender,
    GroupMembership,
    MembershipStatus,
    Term,
)
from zhitong.regions.lookups import Scope
from zhitong.regions.models import Region
from zhitong.stations.models import Station, StationAssignment

from .rows import DeputyPlan, _same_person, parse_deputies

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
PERSONAL_FIELDS = ("name", "gender", "ethnicity", "birth_year", "party", "occupation")
PRIVATE_FIELDS = ("mobile", "id_tail")
# Fields an update may leave blank to keep what is stored.
KEEP_WHEN_BLANK = {"ethnicity", "party", "occupation", "mobile", "id_tail"}


def field_labels() -> dict[str, str]:
    return {
        "name": _("姓名"),
        "gender": _("性别"),
        "ethnicity": _("民族"),
        "birth_year": _("出生年份"),
        "party": _("政治面貌"),
        "occupation": _("工作单位及职务"),
        "mobile": _("手机号码"),
        "id_tail": _("身份证后四位"),
        "seats": _("代表资格"),
        "stations": _("进站站点"),
        "groups": _("代表小组"),
    }


# --- what is stored ---------------------------------------------------------------------


def _serving(membership: DeputyMembership, today: date) -> bool:
    return membership.status == MembershipStatus.SERVING and (
        membership.end_date is None or membership.end_date >= today
    )


def _current(row, today: date) -> bool:
    return row.start_date <= today and (row.end_date is None or row.end_date >= today)


def deputy_state(deputy: Deputy, today: date) -> dict:
    """What a roster row describes of `deputy`, as plain data (ids for related rows).

    Reads the prefetched memberships, station assignments and group memberships of
    `district_deputies`."""
    return {
        "name": deputy.name,
        "gender": deputy.gender,
        "ethnicity": deputy.ethnicity,
        "birth_year": deputy.birth_year,
        "party": deputy.party,
        "occupation": deputy.occupation,
        "mobile": deputy.mobile,
        "id_tail": deputy.id_number_tail,
        # Every seat, serving or not: a changed status is a change too.
        "seats": sorted(
            [m.term_id, m.level, m.constituency, m.status] for m in deputy.memberships.all()
        ),
        "stations": sorted(
            a.station_id for a in deputy.station_assignments.all() if _current(a, today)
        ),
        "groups": sorted(g.group_id for g in deputy.group_memberships.all() if _current(g, today)),
    }


def district_deputies(district: Region) -> list[Deputy]:
    """Every deputy of `district` with what `deputy_state` reads, in four queries."""
    return list(
        Deputy.objects.filter(district=district)
        .order_by("pk")
        .prefetch_related(
            Prefetch("memberships", queryset=DeputyMembership.objects.order_by("pk")),
            Prefetch("station_assignments", queryset=StationAssignment.objects.order_by("pk")),
            Prefetch("group_memberships", queryset=GroupMembership.objects.order_by("pk")),
        )
    )


def fingerprint(deputies: list[Deputy], today: date) -> str:
    """One hash of every deputy of a district as a roster sees them."""
    digest = hashlib.sha256()
    for deputy in deputies:
        state = deputy_state(deputy, today)
        digest.update(json.dumps([deputy.pk, state], ensure_ascii=False).encode())
    return digest.hexdigest()


def district_fingerprint(district: Region) -> str:
    today = timezone.localdate()
    return fingerprint(district_deputies(district), today)


# --- what a row says ------------------------------------------------------------------


def plan_data(plan: DeputyPlan) -> dict:
    """A row's plan as plain data, to store in the preview and apply later."""
    return {
        "row": plan.row,
        "name": plan.name,
        "gender": plan.gender,
        "ethnicity": plan.ethnicity,
        "birth_year": plan.birth_year,
        "party": plan.party,
        "occupation": plan.occupation,
        "mobile": plan.mobile,
        "id_tail": plan.id_tail,
        "seats": [[s.term.pk, s.level, s.constituency] for s in plan.seats],
        "station": plan.station.pk if plan.station else None,
        "groups": [g.pk for g in plan.groups] if plan.groups_stated else None,
    }


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Names:
    """Display names of the terms, stations and groups a preview mentions."""

    terms: dict[int, str] = field(default_factory=dict)
    stations: dict[int, str] = field(default_factory=dict)
    groups: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, term_ids, station_ids, group_ids) -> "Names":
        return cls(
            terms={
                t.pk: str(t) for t in Term.objects.filter(pk__in=term_ids).select_related("region")
            },
            stations=dict(Station.objects.filter(pk__in=station_ids).values_list("pk", "name")),
            groups=dict(DeputyGroup.objects.filter(pk__in=group_ids).values_list("pk", "name")),
        )

    def seat(self, term_id, level, constituency, status=MembershipStatus.SERVING) -> str:
        text = f"{self.terms.get(term_id, '?')}（{DeputyLevel(level).label}，{constituency}）"
        if status != MembershipStatus.SERVING:
            text += f"［{MembershipStatus(status).label}］"
        return text


def _display(field_name: str, value, names: Names) -> str:
    if value in (None, "", []):
        return "—"
    if field_name == "gender":
        return str(Gender(value).label)
    if field_name == "stations":
        return "、".join(names.stations.get(pk, "?") for pk in value)
    if field_name == "groups":
        return "、".join(names.groups.get(pk, "?") for pk in value)
    if field_name == "seats":
        return "；".join(names.seat(*seat) for seat in value)
    return str(value)


def row_changes(state: dict, data: dict, names: Names) -> list[Change]:
    """What applying the row's `data` would change of a deputy in `state`."""
    changes = []
    for name in PERSONAL_FIELDS + PRIVATE_FIELDS:
        new = data[name]
        if name in KEEP_WHEN_BLANK and new in ("", None):
            continue
        if new != state[name]:
            changes.append(
                Change(name, _display(name, state[name], names), _display(name, new, names))
            )
    seats_by_term = {s[0]: s for s in state["seats"]}
    old_seats, new_seats = [], []
    for term_id, level, constituency in data["seats"]:
        stored = seats_by_term.get(term_id)
        wanted = [term_id, level, constituency, MembershipStatus.SERVING.value]
        if stored != wanted:
            if stored is not None:
                old_seats.append(stored)
            new_seats.append(wanted)
    if new_seats:
        changes.append(
            Change(
                "seats",
                _display("seats", old_seats, names) if old_seats else _("（无）"),
                _display("seats", new_seats, names),
            )
        )
    if data["station"] is not None and state["stations"] != [data["station"]]:
        changes.append(
            Change(
                "stations",
                _display("stations", state["stations"], names),
                _display("stations", [data["station"]], names),
            )
        )
    if data["groups"] is not None and sorted(data["groups"]) != state["groups"]:
        changes.append(
            Change(
                "groups",
                _display("groups", state["groups"], names),
                _display("groups", sorted(data["groups"]), names),
            )
        )
    return changes


# --- the preview of a whole file ------------------------------------------------------


@dataclass
class RosterDiff:
    rows: list[dict]  # {"row", "action", "deputy", "code", "name", "changes", "data"}
    issues: list[Issue]
    missing: list[dict]  # {"id", "code", "name"}
    fingerprint: str

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row["action"] == action)


def roster_diff(sheet: Sheet, district: Region) -> RosterDiff:
    """Parse `sheet` as an update of `district`'s roster and compare it with what is stored."""
    plans, issues = parse_deputies(sheet, Scope.load(district), update=True)
    today = timezone.localdate()
    deputies = district_deputies(district)
    states = {d.pk: deputy_state(d, today) for d in deputies}
    by_code = {d.public_code: d for d in deputies}
    by_name = defaultdict(list)
    for deputy in deputies:
        by_name[deputy.name].append(deputy)
    name_title = sheet.titles["name"]
    code_title = sheet.titles.get("code", "")

    datas = [plan_data(plan) for plan in plans]
    names = Names.load(
        {s[0] for d in datas for s in d["seats"]}
        | {s[0] for state in states.values() for s in state["seats"]},
        {d["station"] for d in datas if d["station"]}
        | {pk for state in states.values() for pk in state["stations"]},
        {pk for d in datas for pk in d["groups"] or ()}
        | {pk for state in states.values() for pk in state["groups"]},
    )

    rows: list[dict] = []
    matched: dict[int, int] = {}  # deputy id -> the row that matched it
    for plan, data in zip(plans, datas, strict=True):
        deputy = None
        if plan.code:
            deputy = by_code.get(plan.code)
            if deputy is None:
                issues.append(
                    Issue(
                        row=plan.row,
                        column=code_title,
                        value=plan.code,
                        message=_(
                            "“%(district)s”没有编码为 %(code)s 的代表，请核对编码；新代表不填编码。"
                        )
                        % {"district": district.name, "code": plan.code},
                    )
                )
                continue
        else:
            candidates = [
                d
                for d in by_name.get(plan.name, [])
                if (d.birth_year is None or d.birth_year == plan.birth_year)
                and _same_person(d.id_number_tail, plan.id_tail)
            ]
            if len(candidates) > 1:
                issues.append(
                    Issue(
                        row=plan.row,
                        column=name_title,
                        value=plan.name,
                        message=_(
                            "系统中有 %(count)d 位代表姓名、出生年份相同（编码 %(codes)s），"
                            "请在“代表编码”列填写要更新的是哪一位。"
                        )
                        % {
                            "count": len(candidates),
                            "codes": "、".join(d.public_code for d in candidates),
                        },
                    )
                )
                continue
            deputy = candidates[0] if candidates else None
        if deputy is not None and deputy.pk in matched:
            issues.append(
                Issue(
                    row=plan.row,
                    column=code_title if plan.code else name_title,
                    value=plan.code or plan.name,
                    message=_(
                        "与第 %(row)d 行对应同一位代表（编码 %(code)s），同一代表只能有一行。"
                    )
                    % {"row": matched[deputy.pk], "code": deputy.public_code},
                )
            )
            continue
        if deputy is None:
            rows.append(
                {
                    "row": plan.row,
                    "action": NEW,
                    "deputy": None,
                    "code": "",
                    "name": plan.name,
                    "changes": [],
                    "data": data,
                }
            )
            continue
        matched[deputy.pk] = plan.row
        changes = row_changes(states[deputy.pk], data, names)
        rows.append(
            {
                "row": plan.row,
                "action": CHANGED if changes else UNCHANGED,
                "deputy": deputy.pk,
                "code": deputy.public_code,
                "name": plan.name,
                "changes": [c.__dict__ for c in changes],
                "data": data,
            }
        )

    missing = [
        {"id": d.pk, "code": d.public_code, "name": d.name}
        for d in deputies
        if d.pk not in matched and any(_serving(m, today) for m in d.memberships.all())
    ]
    return RosterDiff(
        rows=rows, issues=issues, missing=missing, fingerprint=fingerprint(deputies, today)
    )


# --- applying one row -----------------------------------------------------------------


def apply_changes(deputy: Deputy, data: dict, changed: set[str], *, today: date) -> None:
    """Write the row's `data` for the `changed` fields of `deputy` (a stored preview's row)."""
    personal = [f for f in PERSONAL_FIELDS + PRIVATE_FIELDS if f in changed]
    for name in personal:
        setattr(deputy, "id_number_tail" if name == "id_tail" else name, data[name])
    if personal:
        deputy.save(update_fields=["id_number_tail" if n == "id_tail" else n for n in personal])
    if "seats" in changed:
        terms = Term.objects.in_bulk([s[0] for s in data["seats"]])
        stored = {m.term_id: m for m in deputy.memberships.all()}
        for term_id, level, constituency in data["seats"]:
            term = terms[term_id]
            membership = stored.get(term_id)
            if membership is None:
                DeputyMembership.objects.create(
                    deputy=deputy,
                    term=term,
                    level=level,
                    constituency=constituency,
                    start_date=term.start_date,
                    end_date=term.end_date,
                    status=MembershipStatus.SERVING,
                )
            elif (membership.level, membership.constituency, membership.status) != (
                level,
                constituency,
                MembershipStatus.SERVING,
            ):
                membership.level = level
                membership.constituency = constituency
                membership.status = MembershipStatus.SERVING
                membership.save(update_fields=["level", "constituency", "status"])
    if "stations" in changed:
        _move_rows(
            StationAssignment.objects.filter(deputy=deputy),
            keep={data["station"]},
            key="station_id",
            today=today,
            make=lambda pk: StationAssignment(deputy=deputy, station_id=pk, start_date=today),
        )
    if "groups" in changed:
        _move_rows(
            GroupMembership.objects.filter(deputy=deputy),
            keep=set(data["groups"]),
            key="group_id",
            today=today,
            make=lambda pk: GroupMembership(deputy=deputy, group_id=pk, start_date=today),
        )


def _move_rows(queryset, *, keep: set[int], key: str, today: date, make) -> None:
    """End the current dated rows not in `keep` and start the missing ones today.

    A row ended the day it started was a mistake of today's and is deleted; others end
    yesterday, so that today they are no longer current."""
    yesterday = date.fromordinal(today.toordinal() - 1)
    current = queryset.filter(
        Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    )
    present = set()
    for row in current:
        target = getattr(row, key)
        if target in keep:
            present.add(target)
        elif row.start_date >= today:
            row.delete()
        else:
            row.end_date = yesterday
            row.save(update_fields=["end_date"])
    for pk in sorted(keep - present):
        make(pk).save()
