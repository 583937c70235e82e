"""Views of the accounts app: the home page (工作台), one per role; password reset."""

from collections.abc import Callable

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from zhitong.accounts import selectors
from zhitong.accounts.forms import EmailPasswordResetForm
from zhitong.accounts.invitations import (
    EXPIRED,
    USED,
    VALID,
    InvitationRefused,
    account_unlock,
    invitation_accept,
    invitation_lookup,
)
from zhitong.accounts.lockout import LockoutHandler
from zhitong.accounts.models import Role
from zhitong.accounts.rules import can_unlock
from zhitong.core import throttle
from zhitong.core.clientip import client_address
from zhitong.stations.selectors import station_list
from zhitong.units.selectors import units_visible_to

PAGE_SIZE = 25


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _admin_home(request: HttpRequest) -> dict:
    return {"counts": selectors.admin_overview(request.user)}


def _overview_home(request: HttpRequest) -> dict:
    return {
        "totals": selectors.scope_totals(request.user),
        "page_obj": _page(request, selectors.streets_overview(request.user), size=50),
    }


def _street_home(request: HttpRequest) -> dict:
    return {
        "stations": list(station_list(request.user)),
        "page_obj": _page(request, selectors.street_deputies(request.user)),
    }


def _liaison_home(request: HttpRequest) -> dict:
    today = timezone.localdate()
    return {"today": today, "stations": list(selectors.liaison_stations(request.user, on=today))}


def _deputy_home(request: HttpRequest) -> dict:
    return {"deputy": selectors.deputy_home(request.user)}


def _unit_home(request: HttpRequest) -> dict:
    return {"unit": units_visible_to(request.user).select_related("region").first()}


def _citizen_home(request: HttpRequest) -> dict:
    return {}


# role -> (template, context builder). A home that reads what only a higher app has (the
# leader's: the district at a glance, from dashboards) is registered by that app when it
# starts (register_home); until then the leader gets the staff's overview.
HOMES: dict[str, tuple[str, Callable[[HttpRequest], dict]]] = {
    Role.ADMIN: ("accounts/home/admin.html", _admin_home),
    Role.STAFF: ("accounts/home/overview.html", _overview_home),
    Role.LEADER: ("accounts/home/overview.html", _overview_home),
    Role.STREET: ("accounts/home/street.html", _street_home),
    Role.LIAISON: ("accounts/home/liaison.html", _liaison_home),
    Role.DEPUTY: ("accounts/home/deputy.html", _deputy_home),
    Role.UNIT: ("accounts/home/unit.html", _unit_home),
    Role.CITIZEN: ("accounts/home/citizen.html", _citizen_home),
    Role.ENTERPRISE: ("accounts/home/citizen.html", _citizen_home),
}


def register_home(role: str, template: str, build: Callable[[HttpRequest], dict]) -> None:
    """Give `role` its home page: `template` (extending accounts/home/_base.html) rendered
    with what `build(request)` returns. Called by higher apps in their AppConfig.ready."""
    HOMES[role] = (template, build)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's home page: what their role works on now."""
    user = request.user
    # A superuser made with createsuperuser carries the default citizen role; they run the site.
    role = Role.ADMIN if user.is_superuser else user.role
    template, build = HOMES.get(role, HOMES[Role.CITIZEN])
    context = {
        "role": role,
        "role_label": Role(role).label,
        "missing_scope": user.is_region_scoped and user.region_id is None and not user.is_superuser,
        **build(request),
    }
    return render(request, template, context)


# --- password reset (找回密码) ------------------------------------------------------------

# Reset requests: (limit, window in seconds) per client address and per e-mail address.
# The e-mail count is kept whether or not an account has the address, so being refused
# says nothing about it; it stops anyone from filling a mailbox with reset mails.
PASSWORD_RESET_RATES = {"address": (10, 3600), "email": (3, 3600)}


def _reset_rate(name: str) -> tuple[int, int]:
    overrides = getattr(settings, "PASSWORD_RESET_RATES", None) or {}
    return overrides.get(name, PASSWORD_RESET_RATES[name])


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the account's e-mail address and mails a one-day link to set a new password.

    The page that follows is the same whether or not an account has that address. The
    link in the mail is built on PUBLIC_BASE_URL, never on the request's Host header.
    """

    template_name = "accounts/password_reset_form.html"
    form_class = EmailPasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        for name, ident in (("address", client_address(self.request)), ("email", email)):
            limit, window = _reset_rate(name)
            if not throttle.hit(f"password_reset_{name}", ident, limit=limit, window=window):
                form.add_error(
                    None,
                    _("找回密码的请求太频繁了，请 %(minutes)d 分钟后再试。")
                    % {"minutes": max(1, window // 60)},
                )
                response = self.form_invalid(form)
                response.status_code = 429
                return response
        self.extra_email_context = {"base_url": settings.PUBLIC_BASE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the mail: choose a new password. Setting it lifts a login lockout of
    the account (its owner has shown they hold its mailbox)."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


# --- sign in: how many tries are left (剩余尝试次数) -----------------------------------------

# From this many tries left, the login page says how many.
WARN_FROM_TRIES_LEFT = 3


class LoginView(auth_views.LoginView):
    """Django's sign-in page; after a wrong password it says how many tries are left once
    few are (the least of the three counts of accounts.lockout), before the lockout."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        username = form.data.get("username", "")
        if username and hasattr(self.request, "axes_ip_address"):
            counts = LockoutHandler().counts(self.request, {"username": username})
            left = min((c.limit - c.failures for c in counts), default=None)
            if left is not None and 0 < left <= WARN_FROM_TRIES_LEFT:
                response.context_data["tries_left"] = left
                response.context_data["cooloff_minutes"] = round(settings.AXES_COOLOFF_TIME * 60)
        return response


# --- first sign-in by invitation (首次登录邀请) ------------------------------------------------

# Requests to the invitation page per client address and window (seconds): enough for a
# family sharing a phone, far too few to guess a 256-bit token (which is the point).
INVITATION_RATE = (20, 3600)


def _invitation_rate() -> tuple[int, int]:
    return getattr(settings, "INVITATION_RATE", None) or INVITATION_RATE


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation: set one's own password once, then be signed in.

    Every request counts against the client address (core.throttle); a refused request
    writes nothing. A used, expired, withdrawn or unknown link says so and sends the
    person to the staff who invited them."""
    limit, window = _invitation_rate()
    if not throttle.hit("invitation", client_address(request), limit=limit, window=window):
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"state": "throttled", "minutes": max(1, window // 60)},
            status=429,
        )
    invitation_obj, state = invitation_lookup(token)
    if state != VALID:
        return _invitation_invalid(request, state)
    user = invitation_obj.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except InvitationRefused as refused:
            return _invitation_invalid(request, refused.state)
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("密码已设置，欢迎使用。以后请用用户名和这个密码登录。"))
        return redirect("accounts:home")
    return render(
        request,
        "accounts/invitation.html",
        {"form": form, "invited": user, "expires_at": invitation_obj.expires_at},
        status=400 if form.is_bound else 200,
    )


def _invitation_invalid(request: HttpRequest, state: str) -> HttpResponse:
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"state": state, "used": USED, "expired": EXPIRED},
        status=410 if state in (USED, EXPIRED) else 404,
    )


# --- unlocking a locked account (解除登录锁定) --------------------------------------------


@login_required
@require_http_methods(["GET"])
def locked_accounts(request: HttpRequest) -> HttpResponse:
    """Accounts in the user's scope with failed sign-ins now counted, most failures first."""
    if not can_unlock(request.user):
        raise PermissionDenied(_("只有系统管理员可以解除账号的登录锁定。"))
    scope = selectors.unlockable_accounts(request.user)
    failures = dict(
        AccessAttempt.objects.values_list("username")
        .annotate(n=Sum("failures_since_start"))
        .filter(n__gt=0)
    )
    accounts = [
        {"user": user, "failures": failures[user.username]}
        for user in scope.filter(username__in=list(failures)).order_by("username")
    ]
    accounts.sort(key=lambda a: -a["failures"])
    return render(
        request,
        "accounts/locked_accounts.html",
        {
            "page_obj": _page(request, accounts),
            "limit": settings.AXES_FAILURE_LIMIT,
            "account_limit": settings.AXES_ACCOUNT_FAILURE_LIMIT,
        },
    )


@login_required
@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_unlock(request.user):
        raise PermissionDenied(_("只有系统管理员可以解除账号的登录锁定。"))
    account = selectors.unlockable_accounts(request.user).filter(pk=pk).first()
    if account is None:
        raise Http404
    account_unlock(user=account, by=request.user)
    messages.success(
        request,
        _("已解除“%(name)s”（%(username)s）的登录锁定，可以重新登录了。")
        % {"name": account.get_full_name(), "username": account.username},
    )
    return redirect("accounts:locked")
