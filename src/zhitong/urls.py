"""Top-level URL map: public pages, accounts, work pages and the admin."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "直通 · 人大代表工作平台 管理"
admin.site.site_title = "直通管理"
admin.site.index_title = "基础数据管理"

# The 500 page says what was saved (see zhitong.errors).
handler500 = "zhitong.errors.server_error"

urlpatterns = [
    path("", include("zhitong.public.urls")),
    path("accounts/", include("zhitong.accounts.urls")),
    path("work/stations/", include("zhitong.stations.urls")),
    path("work/posters/", include("zhitong.public.poster_urls")),
    path("work/imports/", include("zhitong.imports.urls")),
    path("opinions/", include("zhitong.opinions.urls_public")),
    path("work/opinions/", include("zhitong.opinions.urls_work")),
    path("work/suggestions/", include("zhitong.suggestions.urls")),
    path("work/notifications/", include("zhitong.notifications.urls")),
    path("work/inbox/", include("zhitong.handling.urls")),
    path("work/overview/", include("zhitong.dashboards.urls")),
    path("work/insights/", include("zhitong.insights.views")),
    path("work/", include("zhitong.core.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
