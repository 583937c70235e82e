"""The router's page (分类模型): its versions and their figures, the training rows, a
retraining, and the district's auto-routing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhitong.insights import selectors, services
from zhitong.insights.forms import RoutingSettingsForm
from zhitong.insights.jobs import retrain_enqueue

app_name = "insights"
PAGE_SIZE = 20


def _page(request, *, form=None, district=None, status=200):
    if not request.user.has_perm("insights.view_router"):
        raise PermissionDenied(_("你无权查看分类模型。"))
    districts = selectors.settings_districts(request.user)
    if district is None:
        district = selectors.pick_district(districts, request.GET.get("district"))
    setting = services.routing_settings(district.pk) if district else None
    if form is None and setting is not None:
        form = RoutingSettingsForm(
            initial={"auto_route": setting.auto_route, "threshold": setting.threshold}
        )
    current = services.current_version()
    page = Paginator(selectors.versions(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/router.html",
        {
            "current": current,
            "page": page,
            "by_source": selectors.examples_by_source(),
            "by_process": selectors.staff_rows_by_process(),
            "by_label": selectors.examples_by_label(),
            "may_retrain": request.user.has_perm("insights.retrain_router"),
            "districts": districts,
            "district": district,
            "setting": setting,
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def router_view(request):
    return _page(request)


@login_required
@require_POST
def retrain_view(request):
    if not request.user.has_perm("insights.retrain_router"):
        raise PermissionDenied(_("你无权管理分类模型。"))
    job = retrain_enqueue(by=request.user)
    messages.success(request, _("已开始重新训练，完成后可在后台任务中查看结果。"))
    return redirect(reverse("core:job", args=[job.pk]))


@login_required
@require_POST
def settings_view(request):
    districts = selectors.settings_districts(request.user)
    district = selectors.pick_district(districts, request.POST.get("district"))
    if district is None:
        raise PermissionDenied(_("你无权设置自动分类转办。"))
    form = RoutingSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.routing_settings_update(
                district=district,
                by=request.user,
                auto_route=form.cleaned_data["auto_route"],
                threshold=form.cleaned_data["threshold"],
            )
        except services.InsightsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("自动分类转办设置已保存。"))
            return redirect(reverse("insights:router") + f"?district={district.code}#routing")
    return _page(request, form=form, district=district, status=400)


urlpatterns = [
    path("router/", router_view, name="router"),
    path("router/retrain/", retrain_view, name="retrain"),
    path("router/settings/", settings_view, name="settings"),
]
