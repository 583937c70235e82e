"""Fixtures for the working-day calendar tests: who may publish, and a recording hook."""

import pytest
from django.contrib.auth.models import Permission

from zhitong.accounts.models import Role
from zhitong.testing import factories as f
from zhitong.workdays.services import on_calendar_changed, remove_calendar_changed_hook


@pytest.fixture
def root(db):
    return f.UserFactory(username="root", is_superuser=True, is_staff=True, role=Role.ADMIN)


@pytest.fixture
def clerk(district):
    """A staff member granted only the calendar permission, not a superuser."""
    user = f.UserFactory(username="clerk", is_staff=True, role=Role.STAFF, region=district)
    user.user_permissions.add(Permission.objects.get(codename="publish_calendar"))
    return user


@pytest.fixture
def outsider(district):
    """Staff without the calendar permission."""
    return f.UserFactory(username="outsider", is_staff=True, role=Role.STAFF, region=district)


@pytest.fixture
def register_hook():
    """Register calendar-changed hooks for one test and remove them afterwards."""
    registered = []

    def register(hook):
        on_calendar_changed(hook)
        registered.append(hook)
        return hook

    yield register
    for hook in registered:
        remove_calendar_changed_hook(hook)
