"""App configuration for dashboards (统计)."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "zhitong.dashboards"
    label = "dashboards"
    verbose_name = "统计"

    def ready(self):
        from zhitong.dashboards.selectors import figures_from_summary
        from zhitong.opinions.stats import use_summary_reader

        # The opinions' statistics read the summary through this (opinions sits below).
        use_summary_reader(figures_from_summary)

        # The suggestions' per-unit figures (三评价) read the summary too.
        from zhitong.dashboards.suggestion_figures import unit_counts_from_summary
        from zhitong.suggestions.stats import use_unit_summary_reader

        use_unit_summary_reader(unit_counts_from_summary)

        # The refresh as a kind of background job, queued after an import of opinions.
        from zhitong.core.signals import rows_imported
        from zhitong.dashboards import jobs
        from zhitong.opinions.models import Opinion

        rows_imported.connect(jobs.refresh_after_import, sender=Opinion)

        # The leader's home page is the district at a glance (accounts sits below).
        from zhitong.accounts.views import register_home
        from zhitong.core.roles import Role
        from zhitong.dashboards.views import leader_home

        register_home(Role.LEADER, "dashboards/leader_home.html", leader_home)
