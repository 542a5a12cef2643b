"""The access helper for supporter profiles in the coordinators' console (the role check is ``coordinator_required``)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

from alongside.audit.access import deny_404
from alongside.supporters.models import Application, SupporterProfile, TrainingModule, TrainingRecord


def get_supporter_profile(
    request: HttpRequest, pk: int, *, role: Literal["coordinator"] = "coordinator"
) -> SupporterProfile:
    """A supporter's profile, for a coordinator; a missing one is a 404 like everywhere else."""
    profile = SupporterProfile.objects.select_related("user", "user__profile").filter(pk=pk).first()
    if profile is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(
            request, action="supporters.profile.view", target_type="supporters.supporterprofile", target_id=pk
        )
    return profile


def get_application(request: HttpRequest, pk: int) -> Application:
    """An application, for a coordinator; anyone else (and a missing one) gets an audited 404."""
    application = Application.objects.select_related("user", "user__profile", "specialty").filter(pk=pk).first()
    if application is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(
            request, action="supporters.application.view", target_type="supporters.application", target_id=pk
        )
    return application


def get_training_record(request: HttpRequest, pk: int) -> TrainingRecord:
    row = TrainingRecord.objects.select_related("user", "module").filter(pk=pk).first()
    if row is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(
            request, action="supporters.training.view", target_type="supporters.trainingrecord", target_id=pk
        )
    return row


def get_training_module(request: HttpRequest, pk: int) -> TrainingModule:
    module = TrainingModule.objects.filter(pk=pk).first()
    if module is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(request, action="supporters.module.view", target_type="supporters.trainingmodule", target_id=pk)
    return module
