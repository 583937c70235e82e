"""The demo accounts (one per role) and their shared password, importable by code and tests."""

from dataclasses import dataclass

# Published on purpose: `make run` prints it. seed_demo refuses to run without DEBUG
# (outside test databases, unless forced), so these accounts never reach a deployment
# by accident.
DEMO_PASSWORD = "zhitong-demo-2026"  # noqa: S105

# Where a signed-in account lands (LOGIN_REDIRECT_URL is accounts:home).
DEMO_HOME_PATH = "/accounts/home/"
DEMO_LOGIN_PATH = "/accounts/login/"

# The street the street, liaison, deputy and unit accounts work in.
DEMO_STREET_NAME = "中华路街道"
DEMO_UNIT_NAME = "中华路街道办事处"


@dataclass(frozen=True)
class DemoAccount:
    role: str  # a zhitong.accounts.models.Role value
    username: str
    display_name: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "admin", "系统管理员（演示）"),
    DemoAccount("staff", "staff", "代表工委工作人员（演示）"),
    DemoAccount("leader", "leader", "常委会副主任（演示）"),
    DemoAccount("street", "street", "中华路街道人大工委（演示）"),
    DemoAccount("liaison", "liaison", "联络站联络员（演示）"),
    # The deputy account takes the generated name of the deputy it is linked to.
    DemoAccount("deputy", "deputy", "人大代表（演示）"),
    DemoAccount("unit", "unit", "中华路街道办事处承办人（演示）"),
    DemoAccount("citizen", "citizen", "群众（演示）"),
    DemoAccount("enterprise", "enterprise", "企业代表（演示）"),
)

DEMO_USERNAMES = {account.role: account.username for account in DEMO_ACCOUNTS}

# Accounts the demo suggestions add (zhitong.demo.suggestions), printed with the others:
# the government office (区政府办公室), a unit account that confirms the assignment of
# suggestions at the assignment meeting (交办会). Kept apart from DEMO_ACCOUNTS, whose
# roles name one account each.
SUGGESTION_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("unit", "govoffice", "区政府办公室（演示）"),
)
