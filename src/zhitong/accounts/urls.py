"""URLs of the accounts app: sign in and out, password change and reset, the role home page."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from zhitong.accounts import views
from zhitong.accounts.forms import LoginForm

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    # Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    # Forgotten password: the request, "mail sent", the link from the mail, done.
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("home/", views.home, name="home"),
    # First sign-in: the link of an invitation (one use, expires).
    path("invite/<str:token>/", views.invitation, name="invitation"),
    # Work pages of the administrator: accounts locked by failed sign-ins.
    path("locked/", views.locked_accounts, name="locked"),
    path("locked/<int:pk>/unlock/", views.unlock, name="unlock"),
]
