"""The notification centre (通知中心) and the notification settings page; each user sees only their own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhitong.core.masking import mask_email, mask_phone
from zhitong.core.paging import id_cursor
from zhitong.notifications import selectors, services
from zhitong.notifications.forms import NotifyModeForm, PreferencesForm

PAGE_SIZE = 20


def _back(request: HttpRequest):
    """Where a button should return to: the page it was on, if that is on this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:centre")


@login_required
def centre_view(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, unread ones marked; "older" pages by keyset."""
    show = request.GET.get("show")
    unread_only = show == "unread"
    tasks_only = show == "tasks"
    before = id_cursor(request.GET.get("before"))
    unread_total, task_total = selectors.centre_counts(request.user)
    rows, next_cursor = selectors.notification_page(
        request.user,
        unread_only=unread_only,
        tasks_only=tasks_only,
        before=before,
        size=PAGE_SIZE,
    )
    return render(
        request,
        "notifications/centre.html",
        {
            "rows": rows,
            "next_cursor": next_cursor,
            "is_first_page": before is None,
            "unread_only": unread_only,
            "tasks_only": tasks_only,
            "unread_total": unread_total,
            "task_total": task_total,
        },
    )


@login_required
@require_POST
def mark_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.access_notification(request.user, pk)
    services.notification_mark_read(notification=notification, by=request.user)
    return _back(request)


@login_required
@require_POST
def mark_all_read_view(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(by=request.user)
    if count:
        messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return _back(request)


def _preferences_form(user, data=None) -> PreferencesForm | None:
    """The preferences form, for a user to whom some kind of event is offered."""
    if not user.has_perm("notifications.choose_preferences"):
        return None
    return PreferencesForm(data, user=user)


def _settings_page(request, *, form=None, preferences_form=None, status=200) -> HttpResponse:
    user = request.user
    return render(
        request,
        "notifications/settings.html",
        {
            "form": form or NotifyModeForm(initial={"notify_mode": user.notify_mode}),
            "preferences_form": preferences_form or _preferences_form(user),
            # Masked even to the owner: the page may be open on a shared office screen.
            "email_masked": mask_email(user.email) if user.email else "",
            "phone_masked": mask_phone(user.phone) if user.phone else "",
        },
        status=status,
    )


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    """Choose immediate messages or a daily digest, and see where they would be sent; and,
    per kind of event (新意见 ...), how to hear of it (the form posts to preferences_view)."""
    user = request.user
    form = NotifyModeForm(request.POST or None, initial={"notify_mode": user.notify_mode})
    if request.method == "POST" and form.is_valid():
        services.user_notify_mode_set(user=user, mode=form.cleaned_data["notify_mode"], by=user)
        messages.success(request, _("消息接收方式已保存。"))
        return redirect("notifications:settings")
    return _settings_page(request, form=form)


@login_required
@require_POST
def preferences_view(request: HttpRequest) -> HttpResponse:
    """Save the choices per kind of event; all or nothing."""
    user = request.user
    if not user.has_perm("notifications.choose_preferences"):
        raise PermissionDenied
    form = _preferences_form(user, request.POST)
    assert form is not None
    if form.is_valid():
        try:
            changed = services.preferences_set(user=user, choices=form.cleaned_data, by=user)
        except ValidationError as error:
            for code, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(code, problem)
        else:
            if changed:
                messages.success(request, _("通知偏好已保存。"))
            else:
                messages.info(request, _("通知偏好没有变化。"))
            return redirect("notifications:settings")
    return _settings_page(request, preferences_form=form, status=400)
