"""Writes to the resource library. Crisis resources feed the strip on every page; the service app
forgets its cached snapshot when a resource is saved or deleted, once the transaction commits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest

from alongside.audit.services import record
from alongside.library.models import Resource

if TYPE_CHECKING:
    from alongside.accounts.models import User

FIELDS = (
    "title",
    "description",
    "url",
    "phone",
    "category",
    "region",
    "is_crisis",
    "is_public",
    "is_referral",
    "position",
)


@transaction.atomic
def create_resource(
    *,
    actor: User,
    title: str,
    category: str,
    region: str,
    description: str = "",
    url: str = "",
    phone: str = "",
    is_crisis: bool = False,
    is_public: bool = False,
    is_referral: bool = False,
    position: int = 100,
    request: HttpRequest | None = None,
) -> Resource:
    resource = Resource(
        title=title,
        description=description,
        url=url,
        phone=phone,
        category=category,
        region=region,
        is_crisis=is_crisis,
        is_public=is_public,
        is_referral=is_referral,
        position=position,
    )
    resource.full_clean()
    resource.save()
    record(
        "library.resource.created",
        actor=actor,
        target=resource,
        request=request,
        details={"is_crisis": resource.is_crisis, "region": resource.region},
    )
    return resource


@transaction.atomic
def update_resource(
    *,
    actor: User,
    resource: Resource,
    title: str,
    category: str,
    region: str,
    description: str = "",
    url: str = "",
    phone: str = "",
    is_crisis: bool = False,
    is_public: bool = False,
    is_referral: bool = False,
    position: int = 100,
    request: HttpRequest | None = None,
) -> Resource:
    """Replace every editable field. Returns the saved row (a fresh copy, not ``resource``)."""
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    values = {
        "title": title,
        "description": description,
        "url": url,
        "phone": phone,
        "category": category,
        "region": region,
        "is_crisis": is_crisis,
        "is_public": is_public,
        "is_referral": is_referral,
        "position": position,
    }
    changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
    if not changed:
        return locked
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    record(
        "library.resource.updated",
        actor=actor,
        target=locked,
        request=request,
        details={"fields": changed, "is_crisis": locked.is_crisis},
    )
    return locked


@transaction.atomic
def delete_resource(*, actor: User, resource: Resource, request: HttpRequest | None = None) -> None:
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    record(
        "library.resource.deleted",
        actor=actor,
        target_type=locked._meta.label_lower,
        target_id=locked.pk,
        request=request,
        details={"is_crisis": locked.is_crisis},
    )
    locked.delete()
