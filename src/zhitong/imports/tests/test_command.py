"""The `import_structure` management command runs the same checks as the page."""

import pytest
from django.core.management import CommandError, call_command

from zhitong.accounts.models import Role
from zhitong.deputies.models import Deputy
from zhitong.imports.models import ImportBatch
from zhitong.testing import factories as f

from .xlsx import DEPUTY_HEADER, UNIT_HEADER, deputy_row, unit_row, xlsx

pytestmark = pytest.mark.django_db


def test_command_imports_a_good_file(place, staff, tmp_path, capsys):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx(DEPUTY_HEADER, deputy_row()))
    call_command("import_structure", "deputies", str(path), "--as", staff.username)
    assert Deputy.objects.get().name == "张红"
    assert "导入成功" in capsys.readouterr().out
    assert ImportBatch.objects.get().uploaded_by == staff


def test_command_prints_errors_and_fails_on_a_bad_file(place, staff, tmp_path, capsys, counts):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(UNIT_HEADER, unit_row(kind="区委")))
    before = counts()
    with pytest.raises(CommandError, match="没有导入任何数据"):
        call_command("import_structure", "units", str(path), "--as", staff.username)
    assert "第 2 行「单位类型」（区委）" in capsys.readouterr().err
    assert counts() == before


def test_command_refuses_accounts_without_import_permission(place, tmp_path):
    leader = f.UserFactory(username="leader", role=Role.LEADER, region=place["district"])
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(UNIT_HEADER, unit_row()))
    with pytest.raises(CommandError, match="没有向“武昌区”导入数据的权限"):
        call_command("import_structure", "units", str(path), "--as", leader.username)


def test_command_refuses_a_district_outside_the_accounts_scope(
    place, staff, far_district, tmp_path
):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(UNIT_HEADER, unit_row()))
    with pytest.raises(CommandError, match="权限"):
        call_command(
            "import_structure", "units", str(path), "--as", staff.username, "--region", "420102"
        )
