"""The unit inbox (/work/inbox/)."""

from django.urls import path

from zhitong.handling import views

app_name = "handling"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("<int:pk>/", views.assignment_view, name="assignment"),
    path("<int:pk>/case/", views.assignment_case_view, name="assignment_case"),
]
