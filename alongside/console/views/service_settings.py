"""The service's settings and its opening hours, edited together on one page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.views import page
from alongside.lib.views import attempt
from alongside.library.selectors import crisis_resources
from alongside.service.forms import HoursFormSet, ServiceSettingsForm, hours_initial
from alongside.service.models import OpeningHours, ServiceSettings
from alongside.service.services import update_service_settings


@coordinator_required
@require_http_methods(["GET", "POST"])
def service_settings(request: AuthedRequest) -> HttpResponse:
    row, _ = ServiceSettings.objects.get_or_create(pk=1)
    hours = list(OpeningHours.objects.order_by("weekday"))
    if request.method == "POST":
        form = ServiceSettingsForm(request.POST)
        formset = HoursFormSet(request.POST, prefix="hours", initial=hours_initial(hours))
        valid = [form.is_valid(), formset.is_valid()]  # check both, so every error shows at once
        if all(valid):
            saved = attempt(
                request,
                lambda: update_service_settings(
                    actor=request.user,
                    hours=formset.day_hours(),
                    request=request,
                    **form.settings_values(),
                ),
                form=form,
            )
            if saved is not None:
                messages.success(request, "Service settings saved.")
                return redirect("console:settings")
    else:
        form = ServiceSettingsForm(initial=ServiceSettingsForm.initial_for(row))
        formset = HoursFormSet(prefix="hours", initial=hours_initial(hours))
    return page(
        request,
        "console/settings.html",
        {
            "form": form,
            "formset": formset,
            "crisis_lines": crisis_resources(row.region),
            "region": row.get_region_display(),
        },
        section="settings",
    )
