"""Work-side intake URLs (录入、批量录入、台账导入), in the "opinions" namespace at /work/opinions/.

These patterns have no app_name of their own: urls_work.py adds them to its list
(`urlpatterns += urls_intake.urlpatterns`), so their names are opinions:record etc.
"""

from django.urls import path

from zhitong.opinions import views_intake

urlpatterns = [
    path("record/", views_intake.record, name="record"),
    path("record/<int:pk>/done/", views_intake.recorded, name="recorded"),
    path("sessions/new/", views_intake.session_new, name="session_new"),
    path("sessions/<int:pk>/", views_intake.session_detail, name="session_detail"),
    path("import/", views_intake.ledger_import, name="import"),
    path("import/template.xlsx", views_intake.ledger_template, name="import_template"),
]
