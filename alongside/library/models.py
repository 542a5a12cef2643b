"""Further reading and resources: support services, crisis lines, reading."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from alongside.directory.models import Region


class Category(models.TextChoices):
    CRISIS = "crisis", "Crisis and urgent help"
    DOCTORS_HEALTH = "doctors_health", "Doctors' health programs"
    PEER_SUPPORT = "peer_support", "Peer support"
    COUNSELLING = "counselling", "Counselling and psychology"
    TRAINING = "training", "Training, colleges and exams"
    LEGAL = "legal", "Regulators, complaints and legal help"
    WORKPLACE = "workplace", "Workplace safety and rights"
    READING = "reading", "Reading and self-care"


class Resource(models.Model):
    title = models.CharField(max_length=160)
    description = models.TextField(max_length=1000, blank=True)
    url = models.URLField("link", max_length=500, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.READING)
    region = models.CharField(max_length=3, choices=Region.choices, default=Region.NATIONAL)
    is_crisis = models.BooleanField(
        "crisis line", default=False, help_text="Crisis lines appear in the strip at the top of every page."
    )
    is_public = models.BooleanField(
        "public",
        default=False,
        help_text="Visitors without an account can read it. Crisis lines are always public; anything else stays "
        "behind sign-in unless ticked.",
    )
    is_referral = models.BooleanField(
        "referral service",
        default=False,
        help_text="A professional service supporters can send as a card in a conversation, in one click: doctors' "
        "health services, finding a GP or a psychologist, employee assistance.",
    )
    position = models.PositiveSmallIntegerField(default=100, help_text="Lower numbers come first.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "title"]
        constraints = [models.CheckConstraint(condition=~models.Q(url="", phone=""), name="resource_has_link_or_phone")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.url and not self.phone:
            raise ValidationError("Give a link, a phone number, or both.")
        if self.is_crisis and not self.phone:
            raise ValidationError({"phone": "A crisis line needs a phone number."})

    @property
    def is_for_everyone(self) -> bool:
        """Readable without an account: public resources and every crisis line."""
        return self.is_public or self.is_crisis

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
