"""The years the chinesecalendar package knows, as plain (date, kind, name) rows, offline.

Kept free of models so the seeding migration (historical models) and the seed_workdays
command (the publish service) read the same rows.
"""

import datetime
import uuid
from importlib.metadata import version

import chinese_calendar
from chinese_calendar import Holiday
from django.utils import timezone

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"

# The package names festivals in English; the calendar speaks Chinese.
HOLIDAY_NAMES_ZH = {
    Holiday.new_years_day.value: "元旦",
    Holiday.spring_festival.value: "春节",
    Holiday.tomb_sweeping_day.value: "清明节",
    Holiday.labour_day.value: "劳动节",
    Holiday.dragon_boat_festival.value: "端午节",
    Holiday.national_day.value: "国庆节",
    Holiday.mid_autumn_festival.value: "中秋节",
    Holiday.anti_fascist_70th_day.value: "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

# The years the seeding migration enters: recent enough to matter for open cases.
SEED_FIRST_YEAR = 2020
SEED_LAST_YEAR = 2026


def package_source() -> str:
    """The source text recorded on seeded years, e.g. "chinesecalendar 1.11.0"."""
    return f"chinesecalendar {version('chinesecalendar')}"


def package_years() -> range:
    """The years the installed package has data for."""
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


def package_calendar_days(year: int) -> list[tuple[datetime.date, str, str]]:
    """Every holiday (whole spans, weekends included) and make-up working day of `year`.

    Raises ValueError for a year the package does not know, rather than guessing.
    """
    if year not in package_years():
        raise ValueError(f"chinesecalendar {version('chinesecalendar')} has no data for {year}")
    rows = []
    day = datetime.date(year, 1, 1)
    one_day = datetime.timedelta(days=1)
    while day.year == year:
        is_holiday, english_name = chinese_calendar.get_holiday_detail(day)
        # An ordinary weekday or weekend has no name; only named days break the week.
        if english_name is not None:
            name = HOLIDAY_NAMES_ZH[english_name]
            if is_holiday:
                rows.append((day, HOLIDAY, name))
            elif day.weekday() >= 5:
                rows.append((day, MAKEUP_WORKDAY, name))
        day += one_day
    return rows


def seed_missing_years(apps) -> None:
    """Enter the package's known years that are missing; never touch an existing year."""
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    known = package_years()
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    now = timezone.now()
    for year in range(SEED_FIRST_YEAR, SEED_LAST_YEAR + 1):
        if year in existing or year not in known:
            continue
        calendar_year = CalendarYear.objects.create(
            year=year,
            status="published",
            source=package_source(),
            published_at=now,
            revision=uuid.uuid4(),
        )
        CalendarDay.objects.bulk_create(
            CalendarDay(year=calendar_year, date=day, kind=kind, name=name)
            for day, kind, name in package_calendar_days(year)
        )
