"""Work pages for opinions: queue, case page, actions, export, statistics (/work/opinions/)."""

from django.urls import path

from zhitong.opinions import urls_intake
from zhitong.opinions import views_work as views

app_name = "opinions"
urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("bulk-refer/", views.bulk_refer_view, name="bulk_refer"),
    path("bulk-supervise/", views.bulk_supervise_view, name="bulk_supervise"),
    path("export/", views.export_view, name="export"),
    path("stats/", views.stats_view, name="stats"),
    path("topics/", views.topics_view, name="topics"),
    path("settings/", views.settings_view, name="settings"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_view,
        name="attachment",
    ),
    path("<int:pk>/accept/", views.accept_view, name="accept"),
    path("<int:pk>/decline/", views.decline_view, name="decline"),
    path("<int:pk>/answer-on-spot/", views.answer_on_spot_view, name="answer_on_spot"),
    path("<int:pk>/category/", views.category_view, name="category"),
    path("<int:pk>/refer/", views.refer_view, name="refer"),
    path("<int:pk>/merge/", views.merge_view, name="merge"),
    path("<int:pk>/replies/<int:reply_id>/send/", views.send_view, name="send"),
    path("<int:pk>/record-rating/", views.record_rating_view, name="record_rating"),
    path(
        "<int:pk>/referrals/<int:referral_id>/accept/",
        views.referral_accept_view,
        name="referral_accept",
    ),
    path(
        "<int:pk>/referrals/<int:referral_id>/return/",
        views.referral_return_view,
        name="referral_return",
    ),
    path("<int:pk>/referrals/<int:referral_id>/reply/", views.reply_view, name="reply"),
    path(
        "<int:pk>/referrals/<int:referral_id>/extension/",
        views.extension_request_view,
        name="extension_request",
    ),
    path("<int:pk>/referrals/<int:referral_id>/chase/", views.chase_view, name="chase"),
    path("<int:pk>/referrals/<int:referral_id>/reassign/", views.reassign_view, name="reassign"),
    path(
        "<int:pk>/referrals/<int:referral_id>/deadline/",
        views.set_deadline_view,
        name="set_deadline",
    ),
    path(
        "<int:pk>/extensions/<int:extension_id>/decide/",
        views.extension_decide_view,
        name="extension_decide",
    ),
]

# Recording, batch entry and ledger import (intake's views): opinions:record, :session_new,
# :import and their follow-up pages.
urlpatterns += urls_intake.urlpatterns
