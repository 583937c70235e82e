"""A district with one account per role around one opinion, for the lifecycle tests."""

import datetime
from contextlib import contextmanager
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine

from zhitong.accounts.models import Role
from zhitong.accounts.tests.world import add_community, add_street
from zhitong.regions.models import RegionLevel
from zhitong.testing import factories as f
from zhitong.units.models import UnitKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """An aware moment on `day` in Asia/Shanghai."""
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@contextmanager
def frozen(moment: datetime.datetime):
    """Make "now" `moment` everywhere (services, defaults, auto_now fields, localdate())."""
    with time_machine.travel(moment, tick=False):
        yield


def build() -> SimpleNamespace:
    """甲街道 (station_a: deputy, liaison) and 乙街道 (station_b), units, a second district."""
    district = f.make_district()
    street_a = add_street(district, "甲街道")
    street_b = add_street(district, "乙街道")
    community_a = add_community(street_a, "甲一社区")
    community_b = add_community(street_b, "乙一社区")
    far_district = f.RegionFactory(
        code="420102", name="江岸区", level=RegionLevel.DISTRICT, parent=district.parent
    )
    far_street = add_street(far_district, "丙街道")

    station_a = f.StationFactory(region=community_a, name="甲一社区代表联络站")
    station_b = f.StationFactory(region=community_b, name="乙一社区代表联络站")
    station_far = f.StationFactory(region=far_street, name="丙街道代表工作室", kind="studio")

    dep_a = f.DeputyFactory(district=district, name="张甲")
    dep_b = f.DeputyFactory(district=district, name="李乙")
    dep_far = f.DeputyFactory(district=far_district, name="王丙")
    f.StationAssignmentFactory(station=station_a, deputy=dep_a, is_head=True)
    f.StationAssignmentFactory(station=station_b, deputy=dep_b)
    f.StationAssignmentFactory(station=station_far, deputy=dep_far)

    housing = f.HandlingUnitFactory(region=district, name="武昌区住房和城市更新局")
    roads = f.HandlingUnitFactory(region=district, name="武昌区城市管理执法局")
    office_a = f.HandlingUnitFactory(
        region=street_a, name="甲街道办事处", kind=UnitKind.STREET_OFFICE
    )
    unit_far = f.HandlingUnitFactory(region=far_district, name="江岸区教育局")

    category = f.CategoryFactory(name="物业管理", code="WY01")
    # 分级分类: property matters in 甲街道 go to its street office, elsewhere to housing.
    f.CategoryRouteFactory(category=category, region=district, unit=housing)
    f.CategoryRouteFactory(category=category, region=street_a, unit=office_a)

    def user(name, role, **kw):
        return f.UserFactory(username=name, role=role, display_name=kw.pop("display", name), **kw)

    users = {
        "admin": user("admin1", Role.ADMIN, region=district, is_staff=True),
        "staff": user("staff1", Role.STAFF, region=district, display="王工作"),
        "leader": user("leader1", Role.LEADER, region=district),
        "street": user("street_a", Role.STREET, region=street_a),
        "other_street": user("street_b", Role.STREET, region=street_b),
        "far_staff": user("far_staff", Role.STAFF, region=far_district),
        "deputy": user("deputy_a", Role.DEPUTY, display="张甲"),
        "other_deputy": user("deputy_b", Role.DEPUTY),
        "liaison": user("liaison_a", Role.LIAISON),
        "other_liaison": user("liaison_b", Role.LIAISON),
        "unit": user("housing1", Role.UNIT, unit=housing, display="住建局经办人"),
        "co_unit": user("roads1", Role.UNIT, unit=roads),
        "other_unit": user("office_a1", Role.UNIT, unit=office_a),
        "citizen": user("citizen1", Role.CITIZEN),
        "enterprise": user("enterprise1", Role.ENTERPRISE),
    }
    station_a.liaisons.add(users["liaison"])
    station_b.liaisons.add(users["other_liaison"])
    dep_a.user = users["deputy"]
    dep_a.save(update_fields=["user"])
    dep_b.user = users["other_deputy"]
    dep_b.save(update_fields=["user"])

    return SimpleNamespace(
        district=district,
        street_a=street_a,
        street_b=street_b,
        community_a=community_a,
        far_district=far_district,
        station_a=station_a,
        station_b=station_b,
        dep_a=dep_a,
        housing=housing,
        roads=roads,
        office_a=office_a,
        unit_far=unit_far,
        category=category,
        users=users,
        **users,
    )


def new_opinion(w, **kw):
    """A received opinion in 乙街道 addressed to deputy 张甲 at station_a... by default 甲街道."""
    defaults = {
        "district": w.district,
        "street": w.street_a,
        "place": w.community_a,
        "station": w.station_a,
        "deputy": w.dep_a,
        "category": w.category,
        "submitter_name": "赵六",
        "submitter_phone": "13900001234",
    }
    defaults.update(kw)
    return f.OpinionFactory(**defaults)


class Sent:
    """What the services asked the notifications module to do (after commit)."""

    def __init__(self):
        self.notifications = []
        self.messages = []
        self.done = []

    # The notifications API the services call.
    def notify(self, *, recipients, verb, text, url="", subject=None, task=False):
        self.notifications.append(
            SimpleNamespace(
                recipients=list(recipients), verb=verb, text=str(text), url=url, task=task
            )
        )

    def tasks_done(self, *, subject, verb, by):
        self.done.append(SimpleNamespace(subject=subject, verb=verb, by=by))
        return 0

    def message_send(self, *, channel, to, body, subject="", related=None):
        self.messages.append(SimpleNamespace(channel=channel, to=to, body=str(body)))

    def recipients_for_unit(self, unit):
        from zhitong.accounts.models import User

        return User.objects.filter(unit=unit, role=Role.UNIT)

    def recipients_for_region(self, region):
        from zhitong.accounts.models import REGION_ROLES, User

        return [
            u
            for u in User.objects.filter(role__in=REGION_ROLES).select_related("region")
            if u.region and region.path.startswith(u.region.path)
        ]

    def verbs(self):
        return [n.verb for n in self.notifications]
