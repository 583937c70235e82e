"""Refreshing the statistics summary (统计汇总) of every process from the sources the
processes register (handling.figures): day rows rolled up from one pass over a district's
cases, month rows from the day rows, and the per-unit rows across processes from the
assignments."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhitong.dashboards.models import (
    ALL_PROCESSES,
    Dimension,
    DistrictFigureState,
    Figure,
    Grain,
    RefreshMark,
)
from zhitong.dashboards.periods import month_start, next_month
from zhitong.handling.figures import (
    COUNTS,
    FigureSource,
    figure_sources,
    unit_assignments,
    unit_metrics,
)
from zhitong.handling.models import Assignment
from zhitong.regions.models import Region, RegionLevel

__all__ = ["COUNTS", "figures_refresh", "figures_refresh_changed"]

# The mark that holds the lease of a run (and the opinions' own high-water mark).
MARK_NAME = "opinions"
# How far before its mark a run looks for changes: longer than any transaction that
# changes a case (an import of a ledger is the longest, seconds).
OVERLAP = datetime.timedelta(minutes=10)
# Rows written per transaction when a whole district is rebuilt (a moment on SQLite).
WRITE_CHUNK = 20000
# PostgreSQL's work_mem while a district's rows are computed (see _working_memory).
COMPUTE_WORK_MEM = "256MB"
# PostgreSQL's maintenance_work_mem while the summary's indexes are built after a rebuild of
# the whole table (with the default 64 MB the sort of two million keys spills to disk).
INDEX_WORK_MEM = "256MB"
# A run's lease on the mark: longer than any rebuild takes.
LEASE = datetime.timedelta(hours=2)

# Temporary tables of one computation (per connection; dropped at its end).
CASES = "zt_fig_cases"
SEEN = "zt_fig_seen"
ROWS = "zt_fig_rows"
OUT = "zt_fig_out"
ROW_COLUMNS = ("process", "street_id", "unit_id", "grain", "period", "dimension", "key", "label")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(names: Iterable[str]) -> str:
    return ", ".join(_q(name) for name in names)


def _month(column: str) -> str:
    """The first day of the month of a date column, in SQL."""
    if connection.vendor == "postgresql":
        # Date arithmetic: date_trunc would go through a timestamp with time zone per row.
        return f"({column} - CAST(EXTRACT(DAY FROM {column}) AS integer) + 1)"
    return f"date({column}, 'start of month')"


def _key(column: str) -> str:
    """A group's identity as the summary's text key ("" for none, 未填写)."""
    return f"COALESCE(CAST({column} AS TEXT), '')"


def _sums(prefix: str = "") -> str:
    return ", ".join(f"SUM({prefix}{count})" for count in COUNTS)


def _drop_temporary(cursor) -> None:
    for table in (CASES, SEEN, ROWS, OUT):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _create_rows_table(cursor) -> None:
    counts = ", ".join(f"{count} bigint" for count in COUNTS)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {ROWS} (process varchar(30), street_id bigint, "
        f'unit_id bigint, grain varchar(5), period date, dimension varchar(20), "key" '
        f"varchar(40), label varchar(100), {counts})"
    )


def _compute(district_id: int, days: set[datetime.date] | None) -> int:
    """Fill the temporary table ROWS with the district's rows: each process's day rows of
    `days` (every day when None) and its per-unit rows across processes (every day), with
    the month rows of what is computed for every day. Reads only, outside any transaction
    (see _refresh_district). Returns the number of rows.

    Each process's cases are read once, one row per case with its groups and 0/1 counts
    (FigureSource.case_rows), into a temporary table; every dimension, of the district's
    partition by street and of the partition per unit that sees the case, is a GROUP BY
    over that table rather than another pass over the cases, their referrals and ratings.
    """
    with connection.cursor() as cursor, _working_memory(cursor):
        _drop_temporary(cursor)
        _create_rows_table(cursor)
        for source in figure_sources():
            _source_rows(cursor, source, district_id, days)
        _unit_rows(cursor, district_id)
        whole = None if days is None else [ALL_PROCESSES]
        _month_rows(cursor, whole)
        cursor.execute(f"SELECT COUNT(*) FROM {ROWS}")
        return cursor.fetchone()[0]


@contextmanager
def _working_memory(cursor) -> Iterator[None]:
    """On PostgreSQL, room for the computation's hashes: with the default 4 MB the grouping
    of a million cases spills to disk, and the semi-joins on the ratings (n_rated) are run
    once per case instead of hashed once. For this session while it computes, not the
    transaction: the computation runs outside one."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT set_config('work_mem', %s, false)", [COMPUTE_WORK_MEM])
    try:
        yield
    finally:
        cursor.execute("RESET work_mem")


def _source_rows(
    cursor, source: FigureSource, district_id: int, days: set[datetime.date] | None
) -> None:
    sql, params = source.case_rows(district_id, days).query.sql_with_params()
    cursor.execute(f"DROP TABLE IF EXISTS {CASES}")
    cursor.execute(f"CREATE TEMPORARY TABLE {CASES} AS {sql}", params)
    assignments = Assignment._meta.db_table
    if connection.vendor == "postgresql":
        # Temporary tables get no statistics from autovacuum: without them the planner
        # guesses the join's size.
        cursor.execute(f"ANALYZE {CASES}")
    # A unit sees the cases assigned to it and not withdrawn (opinions_visible_to): its
    # partition holds each such case once per unit, however often it was assigned there,
    # as rows of their own (so its dimensions read one table, not a join each).
    cursor.execute(f"DROP TABLE IF EXISTS {SEEN}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {SEEN} AS SELECT s.unit_id AS s_unit, c.* FROM "
        f"(SELECT DISTINCT a.case_id, a.unit_id FROM {_q(assignments)} a "
        f"JOIN {CASES} k ON k.f_case = a.case_id WHERE a.state <> %s) s "
        f"JOIN {CASES} c ON c.f_case = s.case_id",
        [Assignment.State.WITHDRAWN],
    )
    partitions = [
        # (FROM, the street column, the unit column, the partition's GROUP BY)
        (CASES, "f_street", "NULL", "f_street"),
        (SEEN, "NULL", "s_unit", "s_unit"),
    ]
    columns = _columns((*ROW_COLUMNS, *COUNTS))
    sums = _sums("n_")
    for source_sql, street, unit, part in partitions:
        cursor.execute(
            f"INSERT INTO {ROWS} ({columns}) SELECT %s, {street}, {unit}, %s, f_day, %s, '', "
            f"'', {sums} FROM {source_sql} GROUP BY {part}, f_day",
            [source.process, Grain.DAY, Dimension.TOTAL],
        )
        for dimension in source.dimensions:
            group = f"f_k_{dimension.name}"
            label = f"COALESCE(MAX(f_l_{dimension.name}), '')" if dimension.labelled else "''"
            where = "" if dimension.empty_group else f"WHERE {group} IS NOT NULL"
            cursor.execute(
                f"INSERT INTO {ROWS} ({columns}) SELECT %s, {street}, {unit}, %s, f_day, %s, "
                f"{_key(group)}, {label}, {sums} FROM {source_sql} {where} "
                f"GROUP BY {part}, f_day, {group}",
                [source.process, Grain.DAY, dimension.name],
            )


def _unit_rows(cursor, district_id: int) -> None:
    """The per-unit rows across processes (ALL_PROCESSES): each unit's assignments of the
    district by the day assigned, with the definitions of the live figures
    (handling.figures.unit_metrics)."""
    grouped = (
        unit_assignments()
        .filter(district_id=district_id)
        .annotate(f_day=TruncDate("assigned_at", tzinfo=timezone.get_current_timezone()))
        .values("unit_id", "f_day")
        .annotate(**unit_metrics())
    )
    sql, params = grouped.query.sql_with_params()
    counts = ", ".join(f"q.{count}" for count in COUNTS)
    cursor.execute(
        f"INSERT INTO {ROWS} ({_columns((*ROW_COLUMNS, *COUNTS))}) SELECT %s, NULL, q.unit_id, "
        f"%s, q.f_day, %s, {_key('q.unit_id')}, COALESCE(q.name, ''), {counts} FROM ({sql}) q",
        [ALL_PROCESSES, Grain.DAY, Dimension.UNITS, *params],
    )


def _month_rows(cursor, processes: list[str] | None) -> None:
    """Month rows in ROWS from its day rows (of `processes`, or all): the sums of the days."""
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {ROWS}")
    where = f"grain = '{Grain.DAY}'"
    params: list[str] = []
    if processes is not None:
        where += f" AND process IN ({', '.join(['%s'] * len(processes))})"
        params = list(processes)
    parts = 'process, street_id, unit_id, dimension, "key"'
    cursor.execute(
        f"INSERT INTO {ROWS} ({_columns((*ROW_COLUMNS, *COUNTS))}) SELECT process, street_id, "
        f"unit_id, '{Grain.MONTH}', {_month('period')}, dimension, \"key\", MAX(label), "
        f"{_sums()} FROM {ROWS} WHERE {where} GROUP BY {parts}, {_month('period')}",
        params,
    )


def _copy_rows(cursor, district_id: int, where: str = "", params: list | None = None) -> int:
    """INSERT the rows of ROWS (those matching `where`) into the summary as the district's."""
    columns = (*ROW_COLUMNS, *COUNTS)
    cursor.execute(
        f"INSERT INTO {_q(Figure._meta.db_table)} ({_columns(('district_id', *columns))}) "
        f"SELECT %s, {_columns(columns)} FROM {ROWS} {where}",
        [district_id, *(params or [])],
    )
    return cursor.rowcount


def _copy_chunk(cursor, district_id: int, after: int, upto: int) -> int:
    """One chunk of a whole district's rows (see _replace_all), in a transaction of its own."""
    columns = (*ROW_COLUMNS, *COUNTS)
    with transaction.atomic():
        cursor.execute(
            f"INSERT INTO {_q(Figure._meta.db_table)} ({_columns(('district_id', *columns))}) "
            f"SELECT %s, {_columns(columns)} FROM {OUT} WHERE rid > %s AND rid <= %s",
            [district_id, after, upto],
        )
        return cursor.rowcount


def _refresh_district(
    district_id: int, days: set[datetime.date] | None, now, *, emptied: bool = False
) -> int:
    """Compute the district's rows (reads only, no transaction), then write them.

    On SQLite a write transaction holds the whole database: computing inside it made
    citizens' submissions wait for the whole rebuild (16.7 s at 100,000 opinions) and
    fail. So the rows are computed first, into temporary tables (which SQLite keeps apart
    from the database file); a change saved meanwhile is picked up by the next run. Some
    days' rows are replaced in one short transaction (with the per-unit rows across
    processes, recomputed in full: small, and the assignments keep no time of change). A
    whole district's rows (its first computation, or after an upgrade) may be millions: the
    district is marked not computed (the statistics count it live meanwhile), its rows are
    replaced WRITE_CHUNK at a time, each chunk a transaction of its own, and it is marked
    computed when all are in.
    """
    state, _created = DistrictFigureState.objects.get_or_create(district_id=district_id)
    if state.computed_at is None:
        # A district never computed in full: partial rows would read as its whole figures.
        days = None
    try:
        _compute(district_id, days)
        if days is None:
            return _replace_all(district_id, now, emptied=emptied)
        return _replace_days(district_id, days, now)
    finally:
        with connection.cursor() as cursor:
            _drop_temporary(cursor)


def _replace_days(district_id: int, days: set[datetime.date], now) -> int:
    months = sorted({month_start(day) for day in days})
    processes = [source.process for source in figure_sources()]
    with transaction.atomic():
        # The lock keeps two refreshes of one district (an overlapping run) from both
        # deleting and inserting the same rows.
        state = DistrictFigureState.objects.select_for_update().get(district_id=district_id)
        Figure.objects.filter(district_id=district_id).filter(
            Q(process=ALL_PROCESSES)
            | Q(process__in=processes, grain=Grain.DAY, period__in=sorted(days))
            | Q(process__in=processes, grain=Grain.MONTH, period__in=months)
        ).delete()
        with connection.cursor() as cursor:
            written = _copy_rows(cursor, district_id)
            if processes:
                written += _months_from_summary(cursor, district_id, processes, months)
        state.computed_at = now
        state.save(update_fields=["computed_at"])
    return written


def _months_from_summary(
    cursor, district_id: int, processes: list[str], months: list[datetime.date]
) -> int:
    """The month rows of `months` as sums of the stored day rows: one grouped query on the
    summary table, not on the cases."""
    table = _q(Figure._meta.db_table)
    columns = _columns(("district_id", *ROW_COLUMNS, *COUNTS))
    in_months = " OR ".join(["(period >= %s AND period < %s)"] * len(months))
    bounds = [bound for month in months for bound in (month, next_month(month))]
    in_processes = ", ".join(["%s"] * len(processes))
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT district_id, process, street_id, unit_id, "
        f"'{Grain.MONTH}', {_month('period')}, dimension, \"key\", MAX(label), {_sums()} "
        f"FROM {table} WHERE district_id = %s AND grain = '{Grain.DAY}' "
        f"AND process IN ({in_processes}) AND ({in_months}) "
        f'GROUP BY district_id, process, street_id, unit_id, {_month("period")}, dimension, "key"',
        [district_id, *processes, *bounds],
    )
    return cursor.rowcount


def _replace_all(district_id: int, now, *, emptied: bool = False) -> int:
    """All of a district's rows replaced in short transactions (see _refresh_district).

    The rows are written ordered by unit and street, so that each partition's rows lie
    together in the table: a unit's statistics read a few pages rather than one row on
    each of thousands."""
    DistrictFigureState.objects.filter(district_id=district_id).update(computed_at=None)
    rows = Figure.objects.filter(district_id=district_id)
    low = high = None
    if not emptied:
        bounds = rows.aggregate(low=Min("pk"), high=Max("pk"))
        low, high = bounds["low"], bounds["high"]
    if low is not None and high is not None:
        for start in range(low, high + 1, WRITE_CHUNK):
            with transaction.atomic():
                rows.filter(pk__gte=start, pk__lt=start + WRITE_CHUNK).delete()
    columns = _columns((*ROW_COLUMNS, *COUNTS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {OUT} AS SELECT ROW_NUMBER() OVER (ORDER BY unit_id, "
            f"street_id) AS rid, {columns} FROM {ROWS}"
        )
        cursor.execute(f"CREATE INDEX {OUT}_rid ON {OUT} (rid)")
        cursor.execute(f"SELECT COUNT(*) FROM {OUT}")
        total = cursor.fetchone()[0]
        written = 0
        for after in range(0, total, WRITE_CHUNK):
            written += _copy_chunk(cursor, district_id, after, after + WRITE_CHUNK)
    DistrictFigureState.objects.filter(district_id=district_id).update(computed_at=now)
    return written


def figures_refresh(
    *, district: Region | int | None = None, days: Iterable[datetime.date] | None = None
) -> int:
    """Recompute the summary rows of `district` (every district when None) for `days`
    (every day when None). Returns the number of rows written."""
    now = timezone.now()
    if district is None:
        district_ids = list(
            Region.objects.filter(level=RegionLevel.DISTRICT).values_list("pk", flat=True)
        )
    else:
        district_ids = [district.pk if isinstance(district, Region) else district]
    day_set = None if days is None else set(days)
    if day_set is not None and not day_set:
        return 0
    emptied = district is None and day_set is None
    if not emptied:
        return sum(_refresh_district(pk, day_set, now) for pk in district_ids)
    _empty_summary()
    with _indexes_built_after():
        return sum(_refresh_district(pk, None, now, emptied=True) for pk in district_ids)


@contextmanager
def _indexes_built_after() -> Iterator[None]:
    """While the whole summary is rewritten: without its indexes, built once at the end.

    Keeping three composite indexes up to date row by row was most of the time of writing
    two million rows; building each once from the finished table is a sort. Nothing reads
    the summary meanwhile: every district is marked not computed (_empty_summary), so the
    statistics are counted live. The indexes are back when the rebuild ends, also when it
    fails; a run killed in the middle leaves them to the next refresh (_ensure_indexes)."""
    with connection.cursor() as cursor:
        for index in Figure._meta.indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {_q(index.name)}")
    try:
        yield
    finally:
        _ensure_indexes()


def _ensure_indexes() -> None:
    """Build the summary's indexes that are missing (see _indexes_built_after)."""
    table = Figure._meta.db_table
    with connection.cursor() as cursor:
        present = connection.introspection.get_constraints(cursor, table)
        missing = [index for index in Figure._meta.indexes if index.name not in present]
        if not missing:
            return
        editor = connection.schema_editor()
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('maintenance_work_mem', %s, false)", [INDEX_WORK_MEM])
        try:
            for index in missing:
                cursor.execute(str(index.create_sql(Figure, editor)))
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("RESET maintenance_work_mem")


def _empty_summary() -> None:
    """Before every district is rebuilt in full: all are marked not computed (the statistics
    count live meanwhile), then the table is emptied at once rather than row by row (at a
    million opinions, deleting the rows in chunks took longer than computing them)."""
    DistrictFigureState.objects.update(computed_at=None)
    table = _q(Figure._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}")
        else:
            # SQLite empties a table without a WHERE at once (its truncate optimization).
            cursor.execute(f"DELETE FROM {table}")


def figures_refresh_changed() -> int | None:
    """Recompute the days of the cases changed since the last run (all on the first run)
    and every district not yet computed. Returns the number of rows written, or None when
    another run is under way.

    A run takes a lease on its mark (an atomic UPDATE that succeeds for one run only) and
    gives it back when it ends: a full rebuild takes a while at a city's scale
    (docs/benchmarks.md), and a cron run started meanwhile leaves at once instead of
    computing the same rows again. No transaction is held for the run: it writes each
    district in short ones of its own. A lease older than LEASE is taken over (a run that
    was killed)."""
    RefreshMark.objects.get_or_create(name=MARK_NAME)
    now = timezone.now()
    taken = (
        RefreshMark.objects.filter(name=MARK_NAME)
        .filter(Q(running_since__isnull=True) | Q(running_since__lt=now - LEASE))
        .update(running_since=now)
    )
    if not taken:
        return None
    try:
        # Indexes left out by a full rebuild that was killed (the lease makes this run the
        # only one: none is being rebuilt now).
        _ensure_indexes()
        return _refresh_changed()
    finally:
        RefreshMark.objects.filter(name=MARK_NAME, running_since=now).update(running_since=None)


def _refresh_changed() -> int:
    sources = figure_sources()
    marks = {}
    for source in sources:
        mark, _created = RefreshMark.objects.get_or_create(name=source.process)
        # Read before computing: a change made meanwhile is seen again by the next run.
        marks[source.process] = (mark, source.latest_change())
    written = 0
    computed = set(
        DistrictFigureState.objects.filter(computed_at__isnull=False).values_list(
            "district_id", flat=True
        )
    )
    if any(mark.value is None for mark, _latest in marks.values()):
        written += figures_refresh()
    else:
        # The change times are set when a row is saved, not when its transaction commits:
        # a change saved just before the last run read its mark but committed after was
        # invisible to that run, so each run looks back OVERLAP further.
        by_district: dict[int, set] = defaultdict(set)
        for source in sources:
            value = marks[source.process][0].value
            assert value is not None  # none is None on this branch
            for district_id, day in source.changed_days(value - OVERLAP):
                by_district[district_id].add(day)
        for district_id, days in by_district.items():
            written += figures_refresh(district=district_id, days=days)
        # The other computed districts: their per-unit rows across processes (the
        # assignments of processes without a change mark may have moved).
        for district_id in computed - set(by_district):
            written += _refresh_unit_rows(district_id)
        missing = Region.objects.filter(level=RegionLevel.DISTRICT).exclude(
            pk__in=computed | set(by_district)
        )
        for district_id in missing.values_list("pk", flat=True):
            written += figures_refresh(district=district_id)
    for mark, latest in marks.values():
        mark.value = latest or mark.value or timezone.now()
        RefreshMark.objects.filter(pk=mark.pk).update(value=mark.value)
    return written


def _refresh_unit_rows(district_id: int) -> int:
    """Only the per-unit rows across processes of a computed district, in one transaction."""
    try:
        with connection.cursor() as cursor:
            _drop_temporary(cursor)
            _create_rows_table(cursor)
            _unit_rows(cursor, district_id)
            _month_rows(cursor, [ALL_PROCESSES])
        with transaction.atomic():
            DistrictFigureState.objects.select_for_update().get(district_id=district_id)
            Figure.objects.filter(district_id=district_id, process=ALL_PROCESSES).delete()
            with connection.cursor() as cursor:
                return _copy_rows(cursor, district_id)
    finally:
        with connection.cursor() as cursor:
            _drop_temporary(cursor)
