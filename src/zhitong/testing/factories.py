"""factory_boy factories for the structure models; small, valid objects by default."""

import datetime

import factory
from factory.django import DjangoModelFactory

from zhitong.accounts.models import Role, User
from zhitong.deputies.models import (
    Deputy,
    DeputyGroup,
    DeputyLevel,
    DeputyMembership,
    GroupKind,
    GroupMembership,
    Term,
)
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import DutyRota, Station, StationAssignment, StationKind
from zhitong.units.models import Category, CategoryRoute, HandlingUnit, UnitKind

START = datetime.date(2022, 1, 1)


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"4201{n:08d}")
    name = factory.Sequence(lambda n: f"区划{n}")
    level = RegionLevel.DISTRICT
    parent = None


def make_district(code="420106", name="武昌区"):
    """A province > city > district chain, returning the district."""
    province = RegionFactory(code="420000", name="湖北省", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="420100", name="武汉市", level=RegionLevel.CITY, parent=province)
    return RegionFactory(code=code, name=name, level=RegionLevel.DISTRICT, parent=city)


class StreetFactory(RegionFactory):
    level = RegionLevel.STREET
    name = factory.Sequence(lambda n: f"测试{n}街道")
    code = factory.Sequence(lambda n: f"420106{n % 900:03d}{n // 900 % 1000:03d}")


class CommunityFactory(RegionFactory):
    level = RegionLevel.COMMUNITY
    name = factory.Sequence(lambda n: f"测试{n}社区")
    code = factory.Sequence(lambda n: f"420106{900 + n // 1000:03d}{n % 1000:03d}")
    parent = factory.SubFactory(StreetFactory)


class HandlingUnitFactory(DjangoModelFactory):
    class Meta:
        model = HandlingUnit

    name = factory.Sequence(lambda n: f"测试局{n}")
    kind = UnitKind.DEPARTMENT
    region = factory.LazyFunction(make_district)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"分类{n}")
    code = factory.Sequence(lambda n: f"C{n:04d}")


class CategoryRouteFactory(DjangoModelFactory):
    class Meta:
        model = CategoryRoute

    category = factory.SubFactory(CategoryFactory)
    unit = factory.SubFactory(HandlingUnitFactory)
    region = factory.SelfAttribute("unit.region")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-zt")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TermFactory(DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("region", "level", "number")

    region = factory.LazyFunction(make_district)
    level = DeputyLevel.DISTRICT
    number = 17
    start_date = START


class DeputyFactory(DjangoModelFactory):
    class Meta:
        model = Deputy

    name = factory.Sequence(lambda n: f"代表{n}")
    gender = "F"
    district = factory.LazyFunction(make_district)
    public_code = factory.Sequence(lambda n: f"D{n:07d}")
    occupation = "测试单位职员"


class DeputyMembershipFactory(DjangoModelFactory):
    class Meta:
        model = DeputyMembership

    deputy = factory.SubFactory(DeputyFactory)
    term = factory.SubFactory(TermFactory, region=factory.SelfAttribute("..deputy.district"))
    level = factory.SelfAttribute("term.level")
    constituency = "第1选区"
    start_date = START


class DeputyGroupFactory(DjangoModelFactory):
    class Meta:
        model = DeputyGroup

    name = factory.Sequence(lambda n: f"小组{n}")
    kind = GroupKind.PROFESSIONAL
    region = factory.LazyFunction(make_district)


class GroupMembershipFactory(DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(DeputyGroupFactory)
    deputy = factory.SubFactory(DeputyFactory)
    start_date = START


class StationFactory(DjangoModelFactory):
    class Meta:
        model = Station
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试{n}社区代表联络站")
    kind = StationKind.COMMUNITY
    region = factory.SubFactory(CommunityFactory)
    address = factory.Sequence(lambda n: f"测试路{n}号")
    opening_hours = "工作日 9:00-17:00"
    public_code = factory.Sequence(lambda n: f"S{n:07d}")


class StationAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = StationAssignment

    station = factory.SubFactory(StationFactory)
    deputy = factory.SubFactory(DeputyFactory)
    start_date = START


class DutyRotaFactory(DjangoModelFactory):
    class Meta:
        model = DutyRota

    station = factory.SubFactory(StationFactory)
    deputy = factory.SubFactory(DeputyFactory)
    weekday = 0
    period = "am"
    valid_from = START


# --- opinions (群众意见建议); appended by the opinions lifecycle work ---------------------
# Rows in a given status without running the services: for lists, filters and permission
# tests. Tests of the life of an opinion drive it through zhitong.opinions.services.


def _now():
    from django.utils import timezone

    return timezone.now()


def _tracking_code(n: int) -> str:
    """The n-th code in the canonical grouped form ("2222-2222-23"), so lookups find it."""
    from zhitong.opinions.tracking import ALPHABET, LENGTH, format_code

    digits = []
    for _position in range(LENGTH):
        n, rest = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[rest])
    return format_code("".join(reversed(digits)))


class OpinionFactory(DjangoModelFactory):
    class Meta:
        model = "opinions.Opinion"

    tracking_code = factory.Sequence(lambda n: _tracking_code(n))
    subject = factory.Sequence(lambda n: f"小区路灯不亮{n}")
    content = "晚上小区里的路灯一直不亮，老人出行不便，希望尽快修好。"
    channel = "online"
    status = "received"
    district = factory.LazyFunction(make_district)
    street = None
    submitter_name = "张三丰"
    submitter_phone = "13900001234"
    received_at = factory.LazyFunction(_now)


def _case_of(opinion):
    from zhitong.opinions.services import case_of

    return case_of(opinion)


class ReferralFactory(DjangoModelFactory):
    """A pending lead referral due 15 working days later (by calendar days: no holidays)."""

    class Meta:
        model = "handling.Assignment"
        skip_postgeneration_save = True

    opinion = factory.SubFactory(OpinionFactory, status="referred")
    case = factory.LazyAttribute(lambda o: _case_of(o.opinion))
    district = factory.SelfAttribute("opinion.district")
    unit = factory.SubFactory(
        HandlingUnitFactory, region=factory.SelfAttribute("..opinion.district")
    )
    unit_name = factory.SelfAttribute("unit.name")
    role = "lead"
    state = "pending"
    assigned_by = factory.SubFactory(
        UserFactory, role=Role.STAFF, region=factory.SelfAttribute("..opinion.district")
    )
    assigned_at = factory.LazyFunction(_now)
    period = 15
    due_date = factory.LazyAttribute(lambda o: o.assigned_at.date() + datetime.timedelta(days=21))

    @factory.post_generation
    def sync_open_due_date(obj, create, extracted, **kwargs):
        # The very-overdue date that follows from the due date given, and the opinion's
        # copies of the running lead's dates, as the services keep them.
        if create:
            from zhitong.handling import deadlines
            from zhitong.handling.services import sync_open_dates
            from zhitong.workdays.selectors import working_calendar

            if obj.due_date is not None and obj.very_overdue_from is None:
                obj.very_overdue_from = deadlines.recomputed_very_overdue_from(
                    obj, working_calendar()
                )
                obj.save(update_fields=["very_overdue_from"])
            # The opinion as stored (a test may have changed its row since it was made).
            opinion = obj.opinion
            opinion.refresh_from_db(fields=["open_due_date", "open_very_overdue_from"])
            sync_open_dates(opinion)


class ReplyFactory(DjangoModelFactory):
    class Meta:
        model = "handling.Reply"

    assignment = factory.SubFactory(ReferralFactory, state="replied", opinion__status="replied")
    opinion = factory.SelfAttribute("assignment.opinion")
    unit_name = factory.SelfAttribute("assignment.unit_name")
    text = "已安排维修人员更换路灯，现已恢复照明。"
    author = factory.SubFactory(
        UserFactory, role=Role.UNIT, unit=factory.SelfAttribute("..assignment.unit")
    )
    created_at = factory.LazyFunction(_now)


class ExtensionFactory(DjangoModelFactory):
    class Meta:
        model = "handling.Extension"

    assignment = factory.SubFactory(ReferralFactory, state="accepted", opinion__status="handling")
    period = 5
    reason = "需协调多个部门现场勘查。"
    requested_by = factory.SubFactory(
        UserFactory, role=Role.UNIT, unit=factory.SelfAttribute("..assignment.unit")
    )
