"""One access helper per roster object, the first line of every view. Outsiders get a 404 and an audited denial."""

from __future__ import annotations

from django.http import HttpRequest

from alongside.audit.access import deny_404
from alongside.roster.models import ContactRecord, Shift, ShiftPattern, ShiftPlace


def get_contact_record(request: HttpRequest, pk: int) -> ContactRecord:
    """A contact record, for the supporter who took the contact only (coordinators read them only in aggregate)."""
    found = ContactRecord.objects.filter(pk=pk, supporter_id=request.user.pk or 0).first()
    if found is None:
        raise deny_404(request, action="roster.contact.view", target_type="roster.contactrecord", target_id=pk)
    return found


def get_own_place(request: HttpRequest, pk: int) -> ShiftPlace:
    """A place on a shift, for the supporter who holds it."""
    found = ShiftPlace.objects.select_related("shift").filter(pk=pk, supporter_id=request.user.pk or 0).first()
    if found is None:
        raise deny_404(request, action="roster.place.view", target_type="roster.shiftplace", target_id=pk)
    return found


def get_pattern(request: HttpRequest, pk: int) -> ShiftPattern:
    """A weekly pattern, for coordinators (the view's role check comes first)."""
    found = ShiftPattern.objects.prefetch_related("places").filter(pk=pk).first()
    if found is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(request, action="roster.pattern.view", target_type="roster.shiftpattern", target_id=pk)
    return found


def get_shift(request: HttpRequest, pk: int) -> Shift:
    """A dated shift, for coordinators."""
    found = Shift.objects.filter(pk=pk).first()
    if found is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(request, action="roster.shift.view", target_type="roster.shift", target_id=pk)
    return found


def get_shift_place(request: HttpRequest, pk: int) -> ShiftPlace:
    """Any supporter's place on a shift, for coordinators changing it."""
    found = ShiftPlace.objects.select_related("shift").filter(pk=pk).first()
    if found is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(request, action="roster.place.view", target_type="roster.shiftplace", target_id=pk)
    return found
