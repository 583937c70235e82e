"""Suggestion work pages (mounted at /work/suggestions/)."""

from django.urls import path

from zhitong.suggestions import views, views_supervision

app_name = "suggestions"
urlpatterns = [
    path("from-opinion/<int:pk>/", views.raise_from_opinion_view, name="raise_from_opinion"),
    path("", views.list_view, name="list"),
    path("<int:pk>/", views.detail_view, name="detail"),
    # 督 · 评: supervision, reception days, committees, quality review (views_supervision).
    path("<int:pk>/supervision/", views_supervision.activity_view, name="supervise"),
    path("<int:pk>/quality/", views_supervision.quality_review_view, name="quality_review"),
    path("supervision/led/", views_supervision.led_view, name="key_led"),
    path("reception/", views_supervision.reception_list_view, name="reception_days"),
    path("reception/<int:pk>/", views_supervision.reception_day_view, name="reception_day"),
    path(
        "reception/<int:pk>/propose/",
        views_supervision.reception_propose_view,
        name="reception_propose",
    ),
    path("reception/<int:pk>/add/", views_supervision.reception_add_view, name="reception_add"),
    path(
        "reception/<int:pk>/items/<int:item_id>/remove/",
        views_supervision.reception_remove_view,
        name="reception_remove",
    ),
    path(
        "reception/<int:pk>/items/<int:item_id>/move/",
        views_supervision.reception_move_view,
        name="reception_move",
    ),
    path(
        "reception/<int:pk>/items/<int:item_id>/outcome/",
        views_supervision.reception_outcome_view,
        name="reception_outcome",
    ),
    path("reception/<int:pk>/hold/", views_supervision.reception_hold_view, name="reception_hold"),
    path("committees/", views_supervision.committees_view, name="committees"),
    path("committees/<int:pk>/", views_supervision.committee_edit_view, name="committee_edit"),
    path("committees/followed/", views_supervision.followed_view, name="followed"),
    path("problems/", views_supervision.unit_problems_view, name="unit_problems"),
    path(
        "problems/<int:problem_id>/answer/",
        views_supervision.problem_answer_view,
        name="problem_answer",
    ),
    path("quality/problems/", views_supervision.district_problems_view, name="district_problems"),
]
