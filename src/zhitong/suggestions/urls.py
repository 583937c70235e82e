"""Suggestion work pages (mounted at /work/suggestions/)."""

from django.urls import path

from zhitong.suggestions import views, views_handling

app_name = "suggestions"
urlpatterns = [
    path("from-opinion/<int:pk>/", views.raise_from_opinion_view, name="raise_from_opinion"),
    path("", views.list_view, name="list"),
    path("<int:pk>/", views.detail_view, name="detail"),
]
# 办 · 评, the two ledgers and their exports, a unit's ratings (helper-unit).
urlpatterns += views_handling.urlpatterns
