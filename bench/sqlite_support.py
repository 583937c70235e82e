"""What the SQLite benchmarks and probes share: a fresh file database with the demo
district, its first community station, and one citizen's submission through the service.

Import it after setting ZHITONG_DATA_DIR (the database's folder): it configures Django with
bench.settings_bench (the real settings, no rate limits) on that SQLite file.
"""

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
os.environ.pop("DATABASE_URL", None)
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def fresh_database(folder: Path) -> None:
    """An empty folder, a migrated database in it, the demo district loaded."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, force=True)


def community_station():
    from zhitong.regions.models import RegionLevel
    from zhitong.stations.models import Station

    return Station.objects.filter(is_active=True, region__level=RegionLevel.COMMUNITY).first()


def submit(station, number: int, *, key_prefix: str):
    """One anonymous opinion from the public form's service, with a form key of its own."""
    from zhitong.opinions import intake
    from zhitong.opinions.models import Channel

    data = {
        "subject": f"{key_prefix}{number}",
        "content": "小区门口路灯不亮，晚上出行不便。",
        "address": "首义路12号",
        "submitter_name": "",
        "submitter_phone": "",
        "submitter_email": "",
    }
    return intake.opinion_submit(
        data=data,
        photos=[],
        station=station,
        channel=Channel.QR_STATION,
        submission_key=f"{key_prefix}-{os.getpid()}-{number:08d}-key",
        client_ip="192.0.2.9",
    )
