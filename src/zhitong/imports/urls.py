"""URLs of the imports app (数据导入), mounted at /work/imports/."""

from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("templates/<str:kind>.xlsx", views.template_download, name="template"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/invite/", views.invite_again, name="invite_again"),
    path("roster/", views.roster_upload, name="roster"),
    path("roster/<int:pk>/", views.roster_preview, name="roster_preview"),
    path("roster/<int:pk>/apply/", views.roster_apply, name="roster_apply"),
    path("roster/<int:pk>/cancel/", views.roster_cancel, name="roster_cancel"),
]
