"""The deploy/ folder stays in step with the code: each timer starts a unit that exists, and
each command a unit or script runs is a real management command."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parents[4] / "deploy"


def _timers():
    return sorted((DEPLOY / "systemd").glob("*.timer"))


@pytest.mark.parametrize("timer", _timers(), ids=lambda p: p.name)
def test_each_timer_starts_a_unit_that_exists_and_a_real_command(timer):
    unit = re.search(r"^Unit=(\S+)$", timer.read_text(), re.MULTILINE).group(1)
    template = re.sub(r"@[^.]+\.", "@.", unit)
    assert (DEPLOY / "systemd" / template).exists(), unit
    if "@" in unit:
        command = unit.split("@", 1)[1].removesuffix(".service")
        assert command in get_commands(), command


def test_every_timer_is_enabled_by_the_release_script():
    release = (DEPLOY / "release.sh").read_text()
    for timer in _timers():
        assert timer.name in release, timer.name


def test_the_backup_script_runs_real_commands():
    script = (DEPLOY / "backup.sh").read_text()
    for command in re.findall(r"manage\.py (\w+)", script):
        assert command in get_commands(), command
    assert "backup_create" in script and "backup_drill" in script
