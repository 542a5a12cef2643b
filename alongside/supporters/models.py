"""Peer supporters: how they describe themselves to members, and how much they can take on."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Format(models.TextChoices):
    CHAT = "chat", "Chat"
    VOICE = "voice", "In-app voice"
    PHONE = "phone", "Phone (through the service's number)"
    VIDEO = "video", "Video link"


class SupporterStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    INACTIVE = "inactive", "Inactive"


class SupporterProfile(models.Model):
    """A supporter's peer-facing profile. Workplaces come from the person's own profile and are never shown."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supporter")
    bio = models.TextField(max_length=600, blank=True, help_text="A few sentences peers see. Keep it pseudonymous.")
    specialties = models.ManyToManyField("directory.Specialty", blank=True, related_name="+")
    topics = models.ManyToManyField("directory.Topic", blank=True, related_name="supporters")
    gender = models.CharField(
        max_length=40, blank=True, help_text="Optional, in your own words. Used only when a member asks for it."
    )
    formats = models.JSONField(default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(default=3, help_text="Most active connections at once.")
    status = models.CharField(max_length=10, choices=SupporterStatus.choices, default=SupporterStatus.ACTIVE)
    paused_until = models.DateField(null=True, blank=True)
    availability = models.JSONField(
        default=list, blank=True, help_text="Weekly windows in the supporter's own time zone: [{day, start, end}]."
    )
    last_active_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__lte=20), name="supporter_capacity_at_most_20"),
        ]

    def __str__(self) -> str:
        return f"supporter {self.user_id}"
