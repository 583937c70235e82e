"""The account admin: role and scope fields, filters, search, and the scope validation."""

import pytest

from zhitong.accounts.models import Role, User
from zhitong.testing import factories as f


@pytest.fixture
def root(db):
    return f.UserFactory(username="root", is_superuser=True, is_staff=True)


def test_changelist_filters_by_role_and_searches(client, world, root):
    client.force_login(root)
    response = client.get("/admin/accounts/user/", {"role__exact": Role.STREET})
    assert response.status_code == 200
    assert "street_a" in response.text
    assert "liaison1" not in response.text
    response = client.get("/admin/accounts/user/", {"q": "liaison1"})
    assert "liaison1" in response.text
    assert "street_a" not in response.text


def test_change_form_shows_role_and_scope_fields(client, world, root):
    client.force_login(root)
    response = client.get(f"/admin/accounts/user/{world.street.pk}/change/")
    assert response.status_code == 200
    for field in ("role", "region", "unit", "display_name", "phone"):
        assert f'name="{field}"' in response.text
    assert "角色与工作范围" in response.text


def test_add_form_creates_a_scoped_account(client, world, root):
    client.force_login(root)
    assert client.get("/admin/accounts/user/add/").status_code == 200
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newstreet",
            "display_name": "新工委",
            "phone": "",
            "role": Role.STREET,
            "region": world.street_b.pk,
            "unit": "",
            "usable_password": "true",
            "password1": "Hz-2026-qwer",
            "password2": "Hz-2026-qwer",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(username="newstreet")
    assert created.role == Role.STREET
    assert created.region == world.street_b


def test_add_form_refuses_a_staff_account_without_region(client, world, root):
    client.force_login(root)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "noregion",
            "role": Role.STAFF,
            "region": "",
            "unit": "",
            "usable_password": "true",
            "password1": "Hz-2026-qwer",
            "password2": "Hz-2026-qwer",
        },
    )
    assert response.status_code == 200
    assert "该角色必须指定工作范围" in response.text
    assert not User.objects.filter(username="noregion").exists()
