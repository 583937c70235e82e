"""The per-unit figures of the suggestions (三评价): a table of the handling units, sortable
by any column without JavaScript (links), with a period and a session filter, and its
.xlsx export. District staff see every unit of their districts, a unit account its own row
(stats.unit_figures_scope); anyone else gets 403."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhitong.core.audit import access_record
from zhitong.core.models import AccessRecord
from zhitong.suggestions import export_figures, stats
from zhitong.suggestions.forms_figures import UnitFiguresForm

# The table's columns: the ?sort= key and the heading (the class columns follow 按期答复率).
COLUMNS = [
    ("name", gettext_lazy("承办单位")),
    ("assigned", gettext_lazy("主办件数")),
    ("replied", gettext_lazy("已答复")),
    ("on_time_rate", gettext_lazy("按期答复率")),
    ("overdue", gettext_lazy("超期未答复")),
    *[(f"class_{c}", gettext_lazy("%(cls)s类") % {"cls": c}) for c in stats.RESULT_CLASSES],
    ("satisfaction_rate", gettext_lazy("结果满意率")),
    ("attitude_rate", gettext_lazy("态度满意率")),
    ("commitment_rate", gettext_lazy("承诺按期落实")),
    ("problems_open", gettext_lazy("评审问题待整改")),
]


def _table(request: HttpRequest):
    """The form, the table and the sort chosen, for what the user may see."""
    scope = stats.unit_figures_scope(request.user)
    form = UnitFiguresForm(request.GET or None, sessions=stats.sessions_in_scope(scope))
    today = timezone.localdate()
    start, end = form.period(today)
    table = stats.unit_figures(
        request.user, start=start, end=end, session=form.session_chosen(), today=today
    )
    sort = request.GET.get("sort", "name")
    if sort not in dict(COLUMNS):
        sort = "name"
    descending = request.GET.get("order") == "desc"
    return form, table, sort, descending, stats.sort_rows(table.rows, sort, descending)


def _query(request: HttpRequest, **changes) -> str:
    params = {
        key: value
        for key, value in request.GET.items()
        if key in ("year", "start", "end", "session", "sort", "order") and value
    }
    params.update(changes)
    return urlencode(params)


@login_required
@require_GET
def unit_figures_view(request: HttpRequest) -> HttpResponse:
    form, table, sort, descending, rows = _table(request)
    headings = []
    for key, label in COLUMNS:
        current = key == sort
        # A link sorts by the column; again, the other way. Numbers first largest.
        order = (
            ("asc" if descending else "desc") if current else ("asc" if key == "name" else "desc")
        )
        headings.append(
            {
                "key": key,
                "label": label,
                "url": "?" + _query(request, sort=key, order=order),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return render(
        request,
        "suggestions/unit_figures.html",
        {
            "form": form,
            "table": table,
            "rows": rows,
            "headings": headings,
            "export_query": _query(request),
            "form_invalid": form.is_bound and not form.is_valid(),
            "own_unit": stats.unit_figures_scope(request.user).unit_id is not None,
            "nothing_assigned": not any(row.assigned for row in rows),
        },
    )


@login_required
@require_GET
def unit_figures_export_view(request: HttpRequest) -> HttpResponse:
    _form, table, _sort, _descending, rows = _table(request)
    access_record(
        request,
        action=AccessRecord.Action.EXPORT,
        detail=_("承办单位办理情况（Excel）：%(start)s 至 %(end)s")
        % {"start": table.start.isoformat(), "end": table.end.isoformat()},
    )
    buffer = io.BytesIO()
    export_figures.write_xlsx(table, rows, buffer)
    # Small (a row per unit): built whole and sent as one response.
    response = HttpResponse(buffer.getvalue(), content_type=export_figures.XLSX)
    response["Content-Disposition"] = content_disposition_header(True, export_figures.file_name())
    return response
