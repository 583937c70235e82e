"""Suggestion work pages (mounted at /work/suggestions/)."""

from django.urls import path

from zhitong.suggestions import views, views_figures

app_name = "suggestions"
urlpatterns = [
    path("from-opinion/<int:pk>/", views.raise_from_opinion_view, name="raise_from_opinion"),
    path("", views.list_view, name="list"),
    path("<int:pk>/", views.detail_view, name="detail"),
    # helper-figs: the per-unit figures (三评价) and their export.
    path("units/", views_figures.unit_figures_view, name="unit_figures"),
    path("units/export/", views_figures.unit_figures_export_view, name="unit_figures_export"),
]
