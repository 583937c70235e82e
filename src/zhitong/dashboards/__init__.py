"""Dashboards (统计): summary tables of figures, refreshed by tasks, read by statistics pages."""
