"""The roles of accounts (角色): kept at the bottom of the layers, so that the structure apps
(units, stations) can tell a unit's or a liaison's account apart without importing
accounts, which sits above them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    STAFF = "staff", _("常委会工作人员")
    LEADER = "leader", _("主任会议成员")
    STREET = "street", _("街道人大工委")
    LIAISON = "liaison", _("联络员")
    DEPUTY = "deputy", _("人大代表")
    UNIT = "unit", _("承办单位")
    CITIZEN = "citizen", _("群众")
    ENTERPRISE = "enterprise", _("企业代表")


# Roles whose work is scoped to a region subtree.
REGION_ROLES = {Role.ADMIN, Role.STAFF, Role.LEADER, Role.STREET}
