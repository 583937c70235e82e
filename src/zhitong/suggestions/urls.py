"""Suggestion work pages (mounted at /work/suggestions/)."""

from django.urls import path

from zhitong.suggestions import (
    views,
    views_draft,
    views_figures,
    views_handling,
    views_staff,
    views_supervision,
)

app_name = "suggestions"
urlpatterns = [
    path("from-opinion/<int:pk>/", views.raise_from_opinion_view, name="raise_from_opinion"),
    path("", views.list_view, name="list"),
    path("<int:pk>/", views.detail_view, name="detail"),
    # The per-unit figures (三评价) and their export.
    path("units/", views_figures.unit_figures_view, name="unit_figures"),
    path("units/export/", views_figures.unit_figures_export_view, name="unit_figures_export"),
    # 提 · 阅看: the deputy's draft and the review (views_draft).
    path("new/", views_draft.draft_new_view, name="new"),
    path("review/", views_draft.review_queue_view, name="review_queue"),
    path("<int:pk>/edit/", views_draft.draft_edit_view, name="edit"),
    path("<int:pk>/files/", views_draft.files_add_view, name="files_add"),
    path("<int:pk>/files/<int:file_id>/", views_draft.file_view, name="file"),
    path("<int:pk>/invite/", views_draft.invite_view, name="invite"),
    path("<int:pk>/respond/", views_draft.respond_view, name="respond"),
    path("<int:pk>/submit/", views_draft.submit_view, name="submit"),
    path("<int:pk>/withdraw/", views_draft.withdraw_view, name="withdraw"),
    path("<int:pk>/review/", views_draft.review_view, name="review"),
    # 交: the staff's pages (views_staff).
    path("queue/", views_staff.queue_view, name="queue"),
    path("<int:pk>/register/", views_staff.register_view, name="register"),
    path("<int:pk>/propose/", views_staff.propose_view, name="propose"),
    path("<int:pk>/key/", views_staff.mark_key_view, name="mark_key"),
    path("<int:pk>/reassign/", views_staff.reassign_view, name="reassign"),
    path("meeting/", views_staff.meeting_view, name="meeting"),
    path("settings/", views_staff.settings_view, name="settings"),
    path("sessions/", views_staff.sessions_view, name="sessions"),
    path("sessions/<int:pk>/", views_staff.session_edit_view, name="session_edit"),
    path("booklet/", views_staff.booklet_view, name="booklet"),
    path("booklet/<int:pk>/", views_staff.booklet_job_view, name="booklet_job"),
    path("booklet/<int:pk>/download/", views_staff.booklet_download_view, name="booklet_download"),
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
# 办 · 评, the two ledgers and their exports, a unit's ratings.
urlpatterns += views_handling.urlpatterns
