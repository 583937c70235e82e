"""Shared by the summary migrations that change what the rows hold."""


def forget_computed_summaries(apps, schema_editor):
    """Rows computed before the change are stale: every district is computed afresh by the
    next refresh (`dashboards_refresh_figures`; the statistics page counts live until then)."""
    apps.get_model("dashboards", "DistrictFigureState").objects.all().delete()
    apps.get_model("dashboards", "RefreshMark").objects.all().delete()
