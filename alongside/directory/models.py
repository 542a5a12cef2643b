"""Reference data: regions, career stages, workplaces, specialties, topics, languages."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class Region(models.TextChoices):
    NATIONAL = "AU", "Australia-wide"
    ACT = "ACT", "Australian Capital Territory"
    NSW = "NSW", "New South Wales"
    NT = "NT", "Northern Territory"
    QLD = "QLD", "Queensland"
    SA = "SA", "South Australia"
    TAS = "TAS", "Tasmania"
    VIC = "VIC", "Victoria"
    WA = "WA", "Western Australia"


class CareerStage(models.TextChoices):
    STUDENT = "student", "Medical student"
    INTERN = "intern", "Intern / PGY1–2"
    RESIDENT = "resident", "Resident / HMO"
    REGISTRAR = "registrar", "Registrar / trainee"
    CONSULTANT = "consultant", "Consultant / specialist"
    GP = "gp", "General practitioner"
    OTHER = "other", "Other"


class Workplace(models.Model):
    """A health service, hospital or school. Used only to avoid conflicts of interest; never shown to peers."""

    name = models.CharField(max_length=200)
    region = models.CharField(max_length=3, choices=Region.choices, default=Region.VIC)
    active = models.BooleanField(
        default=True, help_text="Inactive workplaces are kept for existing profiles but not offered."
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="workplace_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Specialty(models.Model):
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"
        constraints = [models.UniqueConstraint(Lower("name"), name="specialty_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """What someone may want to talk about; supporters list the ones they have lived through."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    experience_phrase = models.CharField(
        max_length=160, blank=True, help_text='Completes "has supported colleagues through …"'
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
