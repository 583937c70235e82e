"""Builds demo districts: regions, units, routing, deputies, stations, groups and demo accounts.

Everything is drawn from random.Random streams seeded with the district code, and
public codes are hashed from natural keys, so every run builds the same data. Each
district is built in one transaction; structure (regions, terms, units, categories,
routes) is created where missing by natural key, and the people (deputies,
stations, groups) only when the district has none yet, so running twice changes
nothing.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from zhitong.accounts.models import Role, User
from zhitong.demo import people, places
from zhitong.demo.accounts import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_STREET_NAME,
    DEMO_UNIT_NAME,
)
from zhitong.demo.codes import public_code
from zhitong.demo.opinions import ensure_opinions
from zhitong.demo.router import ensure_router, retrain_after_opinions
from zhitong.demo.suggestions import ensure_suggestions
from zhitong.demo.units import DEPARTMENTS, JUDICIAL, STREET, TAXONOMY
from zhitong.deputies.models import (
    Deputy,
    DeputyGroup,
    DeputyLevel,
    DeputyMembership,
    GroupKind,
    GroupMembership,
    GroupRole,
    MembershipStatus,
    Term,
)
from zhitong.opinions.forms_public import choices_changed
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations import hours
from zhitong.stations.directory import form_stations_changed
from zhitong.stations.hours import read_hours
from zhitong.stations.models import (
    DutyPeriod,
    DutyRota,
    Station,
    StationAssignment,
    StationKind,
)
from zhitong.units.models import Category, CategoryRoute, HandlingUnit, UnitKind

SEED = "zhitong-demo-v1"

DISTRICT_DEPUTIES = 400
CITY_DEPUTIES = 60
PROVINCIAL_DEPUTIES = 20
NATIONAL_DEPUTIES = 5
# How many higher-level seats are held by people who also hold a lower one.
CITY_ALSO_DISTRICT = 18
PROVINCIAL_ALSO_CITY = 4
PROVINCIAL_ALSO_DISTRICT = 2
NATIONAL_ALSO_PROVINCIAL = 2

# (level, term number, start date): 区第十七届, 市第十五届, 省第十四届, 全国第十四届.
TERMS = {
    DeputyLevel.DISTRICT: (17, datetime.date(2022, 1, 1)),
    DeputyLevel.CITY: (15, datetime.date(2022, 1, 1)),
    DeputyLevel.PROVINCIAL: (14, datetime.date(2023, 1, 1)),
    DeputyLevel.NATIONAL: (14, datetime.date(2023, 3, 5)),
}
ASSIGNED_FROM = datetime.date(2022, 3, 1)
GROUPS_FROM = datetime.date(2022, 3, 1)
ROTA_FROM = datetime.date(2024, 1, 1)
SEAT_LEFT = datetime.date(2024, 6, 30)

# Synthetic districts for --scale: 50 more in 武汉市 (codes 420150-420199, unused by
# real districts), then up to 99 in each of 40 invented cities (4250xx-4289xx).
WUHAN_EXTRA = 50
EXTRA_CITIES = 40
DISTRICTS_PER_EXTRA_CITY = 99
MAX_SCALE = 1 + WUHAN_EXTRA + EXTRA_CITIES * DISTRICTS_PER_EXTRA_CITY

CHINESE_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class DistrictSpec:
    index: int
    code: str
    name: str
    city_code: str
    city_name: str


def district_specs(scale: int) -> list[DistrictSpec]:
    """The first `scale` demo districts: 武昌区, then synthetic ones with codes of their own."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}")
    specs = [DistrictSpec(0, places.DISTRICT[0], places.DISTRICT[1], *places.CITY)]
    for i in range(1, scale):
        j = i - 1
        if j < WUHAN_EXTRA:
            specs.append(DistrictSpec(i, f"4201{50 + j:02d}", f"演示{i}区", *places.CITY))
            continue
        city, slot = divmod(j - WUHAN_EXTRA, DISTRICTS_PER_EXTRA_CITY)
        city_prefix = f"42{50 + city:02d}"
        specs.append(
            DistrictSpec(
                i,
                f"{city_prefix}{slot + 1:02d}",
                f"演示{i}区",
                f"{city_prefix}00",
                f"演示{city + 1}市",
            )
        )
    return specs


@dataclass
class SeedResult:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def seed(
    scale: int = 1,
    *,
    with_accounts: bool = True,
    with_opinions: bool = True,
    with_suggestions: bool = True,
    with_router: bool = True,
) -> SeedResult:
    """Build `scale` demo districts (each in its own transaction), the demo accounts, the
    first district's half year of opinions (zhitong.demo.opinions) and its session's
    suggestions (zhitong.demo.suggestions; with the opinions only: some are raised from
    them)."""
    specs = district_specs(scale)
    result = SeedResult()
    categories = ensure_categories()
    # One set for deputies and stations: a QR code's value then names one thing only.
    taken = set(Deputy.objects.values_list("public_code", flat=True))
    taken.update(Station.objects.values_list("public_code", flat=True))
    for spec in specs:
        with transaction.atomic():
            district, built = build_district(spec, categories, taken)
            if spec.index == 0 and with_accounts:
                # The first district's half year of opinions is handled by the demo
                # accounts, so both are built with it; other districts get none.
                ensure_demo_accounts(district)
                # The router first: each opinion gets its proposal as it arrives.
                first_router = ensure_router() if with_router and with_opinions else None
                if with_opinions:
                    ensure_opinions(district)
                # After the opinions, so that their half year is the same with or without.
                ensure_deputy_accounts(district)
                if with_opinions and with_suggestions:
                    # Deputies co-sign and rate with their accounts.
                    ensure_suggestions(district)
                if first_router is not None and with_opinions:
                    # Again with the staff's confirmations and corrections.
                    retrain_after_opinions()
        (result.built if built else result.skipped).append(spec.name)
    # Regions, stations and categories went in with bulk_create, which sends no save
    # signals: tell the public form's kept choice lists and kept stations to rebuild (a
    # database emptied and seeded again holds the same public codes under new ids).
    choices_changed()
    form_stations_changed()
    return result


# --- structure: regions, terms, units, categories, routes -----------------------------


@dataclass
class DistrictTree:
    province: Region
    city: Region
    district: Region
    streets: list[Region]
    communities: dict[int, list[Region]]  # street index -> its communities


def _rng(spec: DistrictSpec, purpose: str) -> random.Random:
    # A separate stream per purpose: adding draws to one part leaves the others unchanged.
    return random.Random(f"{SEED}/{spec.code}/{purpose}")


def _region_plan(spec: DistrictSpec):
    rng = _rng(spec, "regions")
    if spec.index == 0:
        street_names = list(places.WUCHANG_STREETS)
        stems = rng.sample(places.NAME_STEMS, sum(places.COMMUNITIES_PER_STREET))
    else:
        stems = rng.sample(
            places.NAME_STEMS, len(places.WUCHANG_STREETS) + sum(places.COMMUNITIES_PER_STREET)
        )
        street_names = [f"{stem}街道" for stem in stems[: len(places.WUCHANG_STREETS)]]
        stems = stems[len(places.WUCHANG_STREETS) :]
    streets = []
    stem_iter = iter(stems)
    for s, (street_name, count) in enumerate(
        zip(street_names, places.COMMUNITIES_PER_STREET, strict=True)
    ):
        street_code = f"{spec.code}{s + 1:03d}000"
        communities = [
            (f"{spec.code}{s + 1:03d}{c + 1:03d}", f"{next(stem_iter)}社区") for c in range(count)
        ]
        streets.append((street_code, street_name, communities))
    return streets


def _ensure_level(wanted: list[tuple[str, str, str, Region | None, int]]) -> dict[str, Region]:
    """Regions by code, creating the missing ones: (code, name, level, parent, sort_order)."""
    existing = {r.code: r for r in Region.objects.filter(code__in=[w[0] for w in wanted])}
    missing = []
    for code, name, level, parent, order in wanted:
        if code in existing:
            continue
        region = Region(code=code, name=name, level=level, parent=parent, sort_order=order)
        # bulk_create skips save(), which computes the materialized path.
        region.path = (parent.path if parent else "") + code + "/"
        missing.append(region)
    for region in Region.objects.bulk_create(missing):
        existing[region.code] = region
    return existing


def ensure_regions(spec: DistrictSpec) -> DistrictTree:
    province = _ensure_level([(*places.PROVINCE, RegionLevel.PROVINCE, None, 0)])[
        places.PROVINCE[0]
    ]
    city = _ensure_level([(spec.city_code, spec.city_name, RegionLevel.CITY, province, 0)])[
        spec.city_code
    ]
    district = _ensure_level([(spec.code, spec.name, RegionLevel.DISTRICT, city, spec.index)])[
        spec.code
    ]
    plan = _region_plan(spec)
    by_code = _ensure_level(
        [(code, name, RegionLevel.STREET, district, s) for s, (code, name, _) in enumerate(plan)]
    )
    streets = [by_code[code] for code, _, _ in plan]
    wanted = [
        (code, name, RegionLevel.COMMUNITY, streets[s], c)
        for s, (_, _, communities) in enumerate(plan)
        for c, (code, name) in enumerate(communities)
    ]
    by_code = _ensure_level(wanted)
    communities = {
        s: [by_code[code] for code, _ in plan_communities]
        for s, (_, _, plan_communities) in enumerate(plan)
    }
    return DistrictTree(province, city, district, streets, communities)


def ensure_terms(tree: DistrictTree) -> dict[str, Term]:
    # National deputies are elected by the provincial congress; with no national
    # region in the tree, their term hangs on the province.
    regions = {
        DeputyLevel.DISTRICT: tree.district,
        DeputyLevel.CITY: tree.city,
        DeputyLevel.PROVINCIAL: tree.province,
        DeputyLevel.NATIONAL: tree.province,
    }
    terms = {}
    for level, (number, start) in TERMS.items():
        terms[level], _ = Term.objects.get_or_create(
            region=regions[level], level=level, number=number, defaults={"start_date": start}
        )
    return terms


@dataclass
class DistrictUnits:
    by_key: dict[str, HandlingUnit]
    street_offices: list[HandlingUnit]  # in street order


def ensure_units(spec: DistrictSpec, tree: DistrictTree) -> DistrictUnits:
    rng = _rng(spec, "units")
    serial = spec.index * 100
    planned: list[tuple[str | int, HandlingUnit]] = []

    def unit(key, name, short, kind, region):
        nonlocal serial
        serial += 1
        gender = rng.choice("MF")
        planned.append(
            (
                key,
                HandlingUnit(
                    name=name,
                    short_name=short,
                    kind=kind,
                    region=region,
                    contact_person=people.person_name(rng, gender),
                    contact_phone=people.fake_landline(serial),
                ),
            )
        )

    fill = {"district": spec.name, "city": spec.city_name}
    for key, pattern, short in DEPARTMENTS:
        unit(key, pattern.format(**fill), short, UnitKind.DEPARTMENT, tree.district)
    for key, kind, pattern, short in JUDICIAL:
        unit(key, pattern.format(**fill), short, kind, tree.district)
    for s, street in enumerate(tree.streets):
        unit(s, f"{street.name}办事处", street.name, UnitKind.STREET_OFFICE, street)

    existing = {
        (u.region_id, u.name): u
        for u in HandlingUnit.objects.filter(region__in=[tree.district, *tree.streets])
    }
    missing = [u for _, u in planned if (u.region.pk, u.name) not in existing]
    for u in HandlingUnit.objects.bulk_create(missing):
        existing[(u.region.pk, u.name)] = u
    resolved = {key: existing[(u.region.pk, u.name)] for key, u in planned}
    return DistrictUnits(
        by_key={k: v for k, v in resolved.items() if isinstance(k, str)},
        street_offices=[resolved[s] for s in range(len(tree.streets))],
    )


def ensure_categories() -> dict[str, Category]:
    """The two-level taxonomy, shared by all districts, by code."""
    existing = {c.code: c for c in Category.objects.all()}
    tops = [
        Category(code=code, name=name, sort_order=i)
        for i, (code, name, _) in enumerate(TAXONOMY)
        if code not in existing
    ]
    for c in Category.objects.bulk_create(tops):
        existing[c.code] = c
    children = [
        Category(code=code, name=name, parent=existing[top_code], sort_order=j)
        for top_code, _, subs in TAXONOMY
        for j, (code, name, _) in enumerate(subs)
        if code not in existing
    ]
    for c in Category.objects.bulk_create(children):
        existing[c.code] = c
    return existing


def ensure_routes(categories: dict[str, Category], tree: DistrictTree, units: DistrictUnits):
    wanted = []
    for _, _, subs in TAXONOMY:
        for code, _, targets in subs:
            category = categories[code]
            for target in targets:
                if target == STREET:
                    wanted += [
                        (category, street, office)
                        for street, office in zip(tree.streets, units.street_offices, strict=True)
                    ]
                else:
                    wanted.append((category, tree.district, units.by_key[target]))
    existing = set(
        CategoryRoute.objects.filter(region__in=[tree.district, *tree.streets]).values_list(
            "category_id", "region_id"
        )
    )
    CategoryRoute.objects.bulk_create(
        [
            CategoryRoute(category=c, region=r, unit=u)
            for c, r, u in wanted
            if (c.pk, r.pk) not in existing
        ]
    )


# --- people: deputies, stations, assignments, rota, groups ------------------------------


@dataclass
class Seat:
    level: str
    constituency: str
    status: str = MembershipStatus.SERVING
    end_date: datetime.date | None = None


@dataclass(eq=False)  # identity: two generated people are never "equal"
class Person:
    street: int
    deputy: Deputy
    sector: str
    seats: list[Seat] = field(default_factory=list)

    def holds(self, level: str, *, serving_only: bool = False) -> bool:
        return any(
            s.level == level and (not serving_only or s.status == MembershipStatus.SERVING)
            for s in self.seats
        )

    @property
    def is_upper(self) -> bool:
        return any(s.level != DeputyLevel.DISTRICT for s in self.seats)


def _apportion(total: int, weights) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def has_people(tree: DistrictTree) -> bool:
    return (
        Station.objects.filter(street__in=tree.streets).exists()
        or Deputy.objects.filter(district=tree.district).exists()
    )


def build_district(spec: DistrictSpec, categories, taken: set[str]) -> tuple[Region, bool]:
    """Build one district; returns it and whether its people were built (False: already there)."""
    tree = ensure_regions(spec)
    terms = ensure_terms(tree)
    units = ensure_units(spec, tree)
    ensure_routes(categories, tree, units)
    if has_people(tree):
        return tree.district, False
    persons = _make_persons(spec, tree, taken)
    stations, linked = _make_stations(spec, tree, taken)
    Deputy.objects.bulk_create([p.deputy for p in persons])
    DeputyMembership.objects.bulk_create(
        DeputyMembership(
            deputy=p.deputy,
            term=terms[seat.level],
            level=seat.level,
            constituency=seat.constituency,
            start_date=terms[seat.level].start_date,
            end_date=seat.end_date,
            status=seat.status,
        )
        for p in persons
        for seat in p.seats
    )
    Station.objects.bulk_create(stations)
    Link = Station.linked_communities.through
    Link.objects.bulk_create(
        Link(station_id=station.pk, region_id=community.pk)
        for station, communities in linked
        for community in communities
    )
    assigned = _assign(spec, tree, persons, stations)
    _rota(spec, tree, persons, stations, assigned)
    _groups(spec, tree, persons)
    return tree.district, True


def _make_persons(spec: DistrictSpec, tree: DistrictTree, taken: set[str]) -> list[Person]:
    rng = _rng(spec, "deputies")
    used_names: set[str] = set()
    persons: list[Person] = []

    def person(street: int) -> Person:
        gender = "F" if rng.random() < 0.36 else "M"
        name = people.person_name(rng, gender)
        while name in used_names:
            name = people.person_name(rng, gender)
        used_names.add(name)
        sector = people.sector(rng)
        community = rng.choice(tree.communities[street]).name
        tail = f"{rng.randrange(1000):03d}" + rng.choice("0123456789X")
        index = len(persons)
        deputy = Deputy(
            name=name,
            gender=gender,
            ethnicity=people.weighted(rng, people.ETHNICITIES),
            birth_year=rng.randint(1962, 1994),
            party=people.weighted(rng, people.PARTIES),
            occupation=people.occupation(
                rng,
                sector,
                stem=rng.choice(places.NAME_STEMS),
                community=community,
                street=tree.streets[street].name,
            ),
            mobile=people.fake_mobile(index),
            id_number_tail=tail,
            district=tree.district,
            public_code=public_code(f"deputy/{spec.code}/{index}", taken=taken),
        )
        p = Person(street=street, deputy=deputy, sector=sector)
        persons.append(p)
        return p

    # District deputies: per street in proportion to its communities, 2-4 per constituency.
    constituency = 0
    for s, count in enumerate(_apportion(DISTRICT_DEPUTIES, places.COMMUNITIES_PER_STREET)):
        left = count
        while left:
            constituency += 1
            size = min(left, rng.randint(2, 4))
            if 0 < left - size < 2:  # never leave a constituency of one
                size = left
            for _ in range(size):
                person(s).seats.append(Seat(DeputyLevel.DISTRICT, f"第{constituency}选区"))
            left -= size

    street_weights = places.COMMUNITIES_PER_STREET

    def new_people(n: int) -> list[Person]:
        streets = rng.choices(range(len(tree.streets)), weights=street_weights, k=n)
        return [person(s) for s in streets]

    district_only = list(persons)
    city = rng.sample(district_only, CITY_ALSO_DISTRICT)
    city += new_people(CITY_DEPUTIES - CITY_ALSO_DISTRICT)
    for p in city:
        p.seats.append(Seat(DeputyLevel.CITY, f"{spec.name}人民代表大会"))
    # A few district seats ended while the city seat goes on: they stay in their station.
    for p, status in zip(
        city[:CITY_ALSO_DISTRICT][-4:],
        [MembershipStatus.RESIGNED] * 3 + [MembershipStatus.TERMINATED],
        strict=True,
    ):
        p.seats[0].status = status
        p.seats[0].end_date = SEAT_LEFT

    provincial = rng.sample(city, PROVINCIAL_ALSO_CITY)
    provincial += rng.sample([p for p in district_only if not p.is_upper], PROVINCIAL_ALSO_DISTRICT)
    provincial += new_people(PROVINCIAL_DEPUTIES - len(provincial))
    for p in provincial:
        p.seats.append(Seat(DeputyLevel.PROVINCIAL, f"{spec.city_name}人民代表大会"))

    national = rng.sample(provincial, NATIONAL_ALSO_PROVINCIAL)
    national += new_people(NATIONAL_DEPUTIES - len(national))
    for p in national:
        p.seats.append(Seat(DeputyLevel.NATIONAL, f"{places.PROVINCE[1]}人民代表大会"))
    return persons


def _address(rng: random.Random, spec: DistrictSpec, roads: list[str]) -> str:
    return f"{spec.city_name}{spec.name}{rng.choice(roads)}{rng.randint(1, 388)}号"


def _make_stations(spec: DistrictSpec, tree: DistrictTree, taken: set[str]):
    """Unsaved stations in street order, and (central station, linked communities) pairs."""
    rng = _rng(spec, "stations")
    stations: list[Station] = []
    linked: list[tuple[Station, list[Region]]] = []
    ordinals: dict[tuple[str, str], int] = defaultdict(int)
    serial = spec.index * 1000

    def station(kind: str, name: str, region: Region, street: Region, address: str, intro: str):
        nonlocal serial
        serial += 1
        key = (region.code, kind)
        ordinals[key] += 1
        s = Station(
            name=name,
            kind=kind,
            region=region,
            # bulk_create skips save(), which derives the street.
            street=street,
            address=address,
            opening_hours=rng.choice(places.OPENING_HOURS.get(kind, places.OPENING_HOURS["point"])),
            public_phone=people.fake_landline(serial),
            introduction=intro,
            internal_notes=rng.choice(places.INTERNAL_NOTES),
            public_code=public_code(f"station/{region.code}/{kind}/{ordinals[key]}", taken=taken),
        )
        stations.append(s)
        return s

    roads_of = [
        [f"{stem}{rng.choice(places.ROAD_SUFFIXES)}" for stem in rng.sample(places.NAME_STEMS, 3)]
        for _ in tree.streets
    ]
    for s, street in enumerate(tree.streets):
        roads = roads_of[s]
        station(
            StationKind.STUDIO,
            f"{street.name}代表工作室",
            street,
            street,
            _address(rng, spec, roads) + f"（{street.name}党群服务中心）",
            f"{street.name}人大工委设立的代表工作室，街道代表小组在此开展活动、接待群众。",
        )
        communities = tree.communities[s]
        for community in communities:
            station(
                StationKind.COMMUNITY,
                f"{community.name}代表联络站",
                community,
                street,
                _address(rng, spec, roads) + f"（{community.name}党群服务中心）",
                f"设在{community.name}党群服务中心，进站代表定期轮值接待居民。",
            )
        chunks = _split(communities, places.CENTRALS_PER_STREET[s])
        for chunk in chunks:
            host = rng.choice(chunk)
            central = station(
                StationKind.CENTRAL,
                f"{host.name}中心代表联络站",
                street,
                street,
                _address(rng, spec, roads) + f"（{host.name}党群服务中心）",
                f"联系{'、'.join(c.name for c in chunk)}，共{len(chunk)}个社区。",
            )
            linked.append((central, chunk))

    point_stems = iter(rng.sample(places.NAME_STEMS, sum(n for _, n in places.POINTS)))
    suffixes = {
        StationKind.BUILDING: (places.BUILDING_SUFFIXES, "楼宇联络点", "服务楼宇内企业和职工。"),
        StationKind.STREET_BLOCK: (
            places.STREET_BLOCK_SUFFIXES,
            "特色街区联络点",
            "服务街区商户和游客。",
        ),
        StationKind.PARK: (places.PARK_SUFFIXES, "联络点", "服务园区企业，收集营商环境意见。"),
    }
    for kind, count in places.POINTS:
        choices, label, intro = suffixes[kind]
        for _ in range(count):
            s = rng.choices(range(len(tree.streets)), weights=places.COMMUNITIES_PER_STREET)[0]
            place = f"{next(point_stems)}{rng.choice(choices)}"
            station(
                kind,
                f"{place}{label}",
                tree.streets[s],
                tree.streets[s],
                _address(rng, spec, roads_of[s]) + f"（{place}）",
                f"设在{place}，{intro}",
            )
    heritage_streets = (
        places.WUCHANG_HERITAGE_STREETS
        if spec.index == 0
        else rng.sample(range(len(tree.streets)), places.HERITAGE_POINTS)
    )
    for s in heritage_streets:
        street = tree.streets[s]
        site = street.name.removesuffix("街道")
        station(
            StationKind.HERITAGE,
            f"{site}文化遗产联络点",
            street,
            street,
            _address(rng, spec, roads_of[s]),
            f"设在{site}历史文化片区，服务居民、商户和游客，听取文物保护和文旅发展意见。",
        )
    return stations, linked


def _split(items: list, parts: int) -> list[list]:
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        chunks.append(items[start:end])
        start = end
    return chunks


def _assign(spec, tree, persons: list[Person], stations: list[Station]):
    """Put every deputy in exactly one station of their street (全部编组进站).

    Each station gets a head first: community stations from district deputies,
    studios, central stations and points from higher-level deputies where the street
    has them. Returns station -> its deputies, head first.
    """
    rng = _rng(spec, "assignments")
    by_street: dict[int, list[Station]] = defaultdict(list)
    street_index = {street.pk: s for s, street in enumerate(tree.streets)}
    for station in stations:
        by_street[street_index[station.street.pk]].append(station)
    persons_of: dict[int, list[Person]] = defaultdict(list)
    for p in persons:
        persons_of[p.street].append(p)

    assigned: dict[int, list[Person]] = defaultdict(list)  # index into stations
    index_of = {id(station): i for i, station in enumerate(stations)}
    for s in range(len(tree.streets)):
        pool = list(persons_of[s])
        rng.shuffle(pool)
        upper = [p for p in pool if p.is_upper]
        lower = [p for p in pool if not p.is_upper]
        street_stations = by_street[s]
        community = [st for st in street_stations if st.kind == StationKind.COMMUNITY]
        others = [st for st in street_stations if st.kind != StationKind.COMMUNITY]
        for st in community:
            if lower or upper:
                assigned[index_of[id(st)]].append((lower or upper).pop())
        for st in others:
            if upper or lower:
                assigned[index_of[id(st)]].append((upper or lower).pop())
        for p in upper:
            assigned[index_of[id(rng.choice(others))]].append(p)
        for p in lower:
            assigned[index_of[id(rng.choice(street_stations))]].append(p)

    StationAssignment.objects.bulk_create(
        StationAssignment(
            station=stations[i],
            deputy=p.deputy,
            is_head=(n == 0),
            start_date=ASSIGNED_FROM
            if p.holds(DeputyLevel.DISTRICT) or p.holds(DeputyLevel.CITY)
            else TERMS[DeputyLevel.PROVINCIAL][1],
        )
        for i, members in assigned.items()
        for n, p in enumerate(members)
    )
    return {i: members for i, members in assigned.items()}


def _rota(spec, tree, persons: list[Person], stations: list[Station], assigned):
    """Weekly duty (代表轮值) on the days and periods each station's hours open it, each slot
    a different deputy where the street has enough, and no deputy in two places at once.

    Studios are staffed all day every working day; central stations every working day, with
    the Wednesday evening (代表夜话) their hours promise; community stations three working
    days, and the Saturday morning where their hours open it; liaison points on their open
    afternoons. A station's own deputies come first; the rest of the slots go to the least
    loaded deputies of the same street, so nobody sits at a desk every day.
    """
    rng = _rng(spec, "rota")
    street_index = {street.pk: s for s, street in enumerate(tree.streets)}
    street_pool: dict[int, list[Person]] = defaultdict(list)
    for p in persons:
        street_pool[p.street].append(p)
    load: dict[int, int] = defaultdict(int)  # id(person) -> slots so far
    # id(person) -> the (weekday, half-day) slots they already sit somewhere.
    busy: dict[int, set[tuple[int, str]]] = defaultdict(set)
    lines = []
    for i, station in enumerate(stations):
        slots = _rota_slots(station, read_hours(station.opening_hours), rng)
        if not slots:
            continue
        own = list(assigned.get(i, []))
        own_ids = {id(p) for p in own}
        others = [p for p in street_pool[street_index[station.street.pk]] if id(p) not in own_ids]
        rng.shuffle(others)
        others.sort(key=lambda p: load[id(p)])
        candidates = own + others
        for n, (day, period) in enumerate(slots):
            halves = {(day, half) for half in hours.NEEDS[period]}
            # Rotate through the candidates from this slot's turn, skipping anyone already
            # sitting elsewhere at that time.
            turn = candidates[n % len(candidates) :] + candidates[: n % len(candidates)]
            person = next((p for p in turn if not busy[id(p)] & halves), None)
            if person is None:
                continue
            busy[id(person)] |= halves
            load[id(person)] += 1
            lines.append(
                DutyRota(
                    station=station,
                    deputy=person.deputy,
                    weekday=day,
                    period=period,
                    valid_from=ROTA_FROM,
                )
            )
    DutyRota.objects.bulk_create(lines)


def _rota_slots(station: Station, opening, rng) -> list[tuple[int, str]]:
    """The (weekday, period) duty slots of a station: only when its hours open it."""
    if opening is None:
        return []
    weekdays = [d for d in opening.days() if d < 5]
    if station.kind == StationKind.COMMUNITY:
        days = sorted(rng.sample(weekdays, min(3, len(weekdays))))
    else:
        days = weekdays
    days += [d for d in opening.days() if d >= 5]
    slots = []
    for day in days:
        open_periods = opening.periods_on(day)
        if station.kind == StationKind.STUDIO and opening.is_open(day, DutyPeriod.ALL_DAY):
            period = DutyPeriod.ALL_DAY.value
        elif station.kind == StationKind.CENTRAL and hours.EVENING in open_periods:
            period = hours.EVENING  # 代表夜话 evenings
        else:
            period = rng.choice(sorted(open_periods & {hours.AM, hours.PM}) or sorted(open_periods))
        slots.append((day, period))
    return slots


def _groups(spec: DistrictSpec, tree: DistrictTree, persons: list[Person]):
    rng = _rng(spec, "groups")
    groups: list[DeputyGroup] = []
    members: list[list[tuple[Person, datetime.date | None]]] = []

    def group(name, kind, region, who, description=""):
        groups.append(DeputyGroup(name=name, kind=kind, region=region, description=description))
        members.append(who)

    district_seat = {
        id(p): next(s for s in p.seats if s.level == DeputyLevel.DISTRICT)
        for p in persons
        if p.holds(DeputyLevel.DISTRICT)
    }

    def district_members(streets):
        return [
            (p, district_seat[id(p)].end_date)
            for p in persons
            if p.street in streets and id(p) in district_seat
        ]

    joint = places.JOINT_STREET_GROUP
    for s, street in enumerate(tree.streets):
        if s == joint[1]:
            continue
        if s == joint[0]:
            names = "、".join(tree.streets[j].name for j in joint)
            group(
                f"{names}代表小组",
                GroupKind.STREET,
                street,
                district_members(joint),
                f"由{names}的区人大代表组成。",
            )
        else:
            group(f"{street.name}代表小组", GroupKind.STREET, street, district_members({s}))

    city = [p for p in persons if p.holds(DeputyLevel.CITY, serving_only=True)]
    city.sort(key=lambda p: p.street)
    for g in range(3):
        group(
            f"市代表第{CHINESE_ORDINALS[g]}小组",
            GroupKind.CITY,
            tree.district,
            [(p, None) for p in city[g::3]],
            f"在{spec.name}的市人大代表组成的小组。",
        )

    serving = [p for p in persons if p.holds(DeputyLevel.DISTRICT, serving_only=True)]
    for sector in people.SECTOR_NAMES:
        pool = [p for p in serving if p.sector == sector]
        chosen = rng.sample(pool, min(len(pool), rng.randint(24, 36)))
        group(
            f"{sector}专业代表小组",
            GroupKind.PROFESSIONAL,
            tree.district,
            [(p, None) for p in chosen],
        )

    for s, street in enumerate(tree.streets):
        pool = [p for p in serving if p.street == s]
        for topic in rng.sample(places.TASK_TEAM_TOPICS, places.TASK_TEAMS_PER_STREET[s]):
            chosen = rng.sample(pool, min(len(pool), rng.randint(5, 8)))
            group(
                f"{street.name}{topic}专业小分队",
                GroupKind.TASK_TEAM,
                street,
                [(p, None) for p in chosen],
            )

    DeputyGroup.objects.bulk_create(groups)
    rows = []
    for grp, who in zip(groups, members, strict=True):
        # Leaders are serving members: the first of the list leads, the next assists.
        leading = [n for n, (_, end) in enumerate(who) if end is None][:2]
        for n, (p, end) in enumerate(who):
            role = GroupRole.MEMBER
            if leading and n == leading[0]:
                role = GroupRole.LEADER
            elif n in leading[1:]:
                role = GroupRole.DEPUTY_LEADER
            rows.append(
                GroupMembership(
                    group=grp, deputy=p.deputy, role=role, start_date=GROUPS_FROM, end_date=end
                )
            )
    GroupMembership.objects.bulk_create(rows)


# --- demo accounts ------------------------------------------------------------------------


def ensure_demo_accounts(district: Region) -> dict[str, User]:
    """One account per role with the shared demo password; updated in place on re-runs."""
    street = Region.objects.get(parent=district, name=DEMO_STREET_NAME)
    unit = HandlingUnit.objects.get(region=street, name=DEMO_UNIT_NAME)
    # One hash for all: the password is public anyway, and Argon2 is slow on purpose.
    password = make_password(DEMO_PASSWORD)
    existing = {
        u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    }
    users = {}
    for account in DEMO_ACCOUNTS:
        user = existing.get(account.username) or User(username=account.username)
        user.role = account.role
        user.display_name = account.display_name
        user.password = password
        user.is_active = True
        user.is_staff = user.is_superuser = account.role == Role.ADMIN
        user.region = {
            Role.ADMIN: district,
            Role.STAFF: district,
            Role.LEADER: district,
            Role.STREET: street,
        }.get(account.role)
        user.unit = unit if account.role == Role.UNIT else None
        users[account.role] = user

    # The liaison keeps the first community station of the street; the demo deputy
    # is a serving district deputy of that station.
    station = (
        Station.objects.filter(street=street, kind=StationKind.COMMUNITY)
        .order_by("region__code", "pk")
        .first()
    )
    deputy = Deputy.objects.filter(user__username=users[Role.DEPUTY].username).first()
    if deputy is None and station is not None:
        deputy = (
            Deputy.objects.filter(
                station_assignments__station=station,
                user__isnull=True,
                memberships__level=DeputyLevel.DISTRICT,
                memberships__status=MembershipStatus.SERVING,
            )
            .order_by("-station_assignments__is_head", "public_code")
            .first()
        )
    if deputy is not None:
        users[Role.DEPUTY].display_name = deputy.name

    for user in users.values():
        user.save()
    if station is not None:
        station.liaisons.add(users[Role.LIAISON])
    if deputy is not None and deputy.user_id is None:
        deputy.user = users[Role.DEPUTY]
        deputy.save(update_fields=["user"])
    return users


def ensure_deputy_accounts(district: Region) -> int:
    """Every deputy of the district online (全进网): an account for each deputy without one,
    as the roster's accounts are made (imports.people: role deputy, the public code in
    lower case as the username), with the published demo password instead of an
    invitation, so any of them can be tried. None of them has signed in yet, so the
    "not signed in" list has people on it. Returns the number made."""
    deputies = list(Deputy.objects.filter(district=district, user__isnull=True).order_by("pk"))
    if not deputies:
        return 0
    password = make_password(DEMO_PASSWORD)
    taken = set(
        User.objects.filter(username__in=[d.public_code.lower() for d in deputies]).values_list(
            "username", flat=True
        )
    )
    deputies = [d for d in deputies if d.public_code.lower() not in taken]
    users = User.objects.bulk_create(
        [
            User(
                username=d.public_code.lower(),
                role=Role.DEPUTY,
                display_name=d.name,
                phone=d.mobile,
                password=password,
            )
            for d in deputies
        ]
    )
    for deputy, user in zip(deputies, users, strict=True):
        deputy.user = user
    Deputy.objects.bulk_update(deputies, ["user"], batch_size=500)
    return len(users)
