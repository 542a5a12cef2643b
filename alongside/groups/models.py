"""Groups: standing peer circles, drop-ins, incident debriefs and supervision groups for supporters.

Every group has a thread (``conversations.Thread`` of kind group: the same seq, idempotency and resume as any chat),
a video room on Jitsi Meet with an unguessable name, and members by display name only. Membership is a row per
person and group with its state; the thread's members follow it (``services`` keeps the two in step). An incident
debrief has a ``Debrief`` beside its group: the mode, the invitation link (only a hash of its secret is kept), the
de-identified record, and when the outreach goes out.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from alongside.lib.fields import EncryptedTextField
from alongside.lib.time import now

NAME_MAX_LENGTH = 80
DESCRIPTION_MAX_LENGTH = 600
CAPACITY_MIN, CAPACITY_MAX = 2, 200
AGREEMENT_VERSION = 1
"""Bumped when the group agreement's words change: members accept the new words before their next message."""


class GroupKind(models.TextChoices):
    CIRCLE = "circle", "Peer circle"
    DROP_IN = "dropin", "Drop-in"
    DEBRIEF = "debrief", "Incident debrief"
    SUPERVISION = "supervision", "Supervision group"


class Purpose(models.TextChoices):
    """What a circle is for: the directory's filter."""

    INTERNATIONAL = "img", "International medical graduates"
    INTERNS = "interns", "Interns and first years"
    EXAMS = "exams", "Sitting fellowship or college exams"
    REGULATOR = "regulator", "Going through a regulator notification"
    RETURNING = "returning", "Returning to work"
    PARENTS = "parents", "Parents in medicine"
    STUDENTS = "students", "Medical students"
    ANYONE = "anyone", "Open to any doctor"


class JoinPolicy(models.TextChoices):
    OPEN = "open", "Open: join after accepting the agreement"
    APPROVAL = "approval", "By request: a facilitator approves"


class Group(models.Model):
    """One group of any kind. A drop-in and a debrief end at a set time; their thread then closes."""

    kind = models.CharField(max_length=12, choices=GroupKind.choices)
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, blank=True)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    capacity = models.PositiveSmallIntegerField(default=12, help_text="Members, not counting facilitators.")
    join_policy = models.CharField(max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.APPROVAL)
    schedule = models.CharField(max_length=120, blank=True, help_text='In words, e.g. "Every second Tuesday, 7 pm".')
    thread = models.OneToOneField("conversations.Thread", on_delete=models.PROTECT, related_name="group")
    room = models.CharField(max_length=64, unique=True, help_text="The video room's unguessable name.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    starts_at = models.DateTimeField(null=True, blank=True, help_text="A drop-in's or debrief's start.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="A drop-in's or debrief's set end.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it ended (or a circle was closed).")
    paused_at = models.DateTimeField(null=True, blank=True, help_text="A facilitator paused the thread.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=CAPACITY_MIN, capacity__lte=CAPACITY_MAX), name="group_capacity_range"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="group_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["kind", "ended_at"])]

    def __str__(self) -> str:
        return f"group {self.pk}"

    def get_absolute_url(self) -> str:
        return f"/groups/{self.pk}/"

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class Role(models.TextChoices):
    FACILITATOR = "facilitator", "Facilitator"
    MEMBER = "member", "Member"


class MembershipState(models.TextChoices):
    REQUESTED = "requested", "Asked to join"
    ACTIVE = "active", "Member"
    DECLINED = "declined", "Request declined"
    LEFT = "left", "Left"
    REMOVED = "removed", "Removed by a facilitator"


class Membership(models.Model):
    """A person in a group (or asking to be). One row per person and group; leaving and rejoining reuse it."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=10, choices=MembershipState.choices)
    agreement_version = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The group agreement's version this person accepted."
    )
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    muted_at = models.DateTimeField(null=True, blank=True, help_text="Muted by a facilitator: reads, cannot post.")
    outreach_due_at = models.DateTimeField(
        null=True, blank=True, help_text="A debrief participant's private offer of support goes out then."
    )
    outreach_sent_at = models.DateTimeField(null=True, blank=True, help_text="Claimed once by the outreach task.")
    outreach_email = EncryptedTextField(
        blank=True, help_text="A guest's own address for the outreach only, if they gave one; erased once it is sent."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_once"),
            models.CheckConstraint(
                condition=~Q(state="active") | Q(joined_at__isnull=False), name="membership_active_has_joined"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "state"]),
            models.Index(fields=["outreach_sent_at", "outreach_due_at"]),
        ]

    def __str__(self) -> str:
        return f"membership {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.state == MembershipState.ACTIVE

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR


class Meeting(models.Model):
    """A scheduled meeting of a group, in UTC; each member sees it in their own time zone, and in their feed."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(db_index=True)
    minutes = models.PositiveSmallIntegerField(default=60)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_24h_at = models.DateTimeField(null=True, blank=True, help_text="Claimed by the reminder task.")
    reminded_1h_at = models.DateTimeField(null=True, blank=True, help_text="Claimed by the reminder task.")

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=10, minutes__lte=240), name="meeting_minutes_10_240")
        ]

    def __str__(self) -> str:
        return f"meeting {self.pk}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)


class DebriefMode(models.TextChoices):
    HOT = "hot", "Hot debrief (now, about five minutes)"
    COLD = "cold", "Cold debrief (a facilitated session in 24 to 72 hours)"


class Theme(models.TextChoices):
    """What came up, as tags: the de-identified record never names anyone or the patient."""

    WORKLOAD = "workload", "Workload and staffing"
    COMMUNICATION = "communication", "Communication"
    TEAMWORK = "teamwork", "Teamwork and roles"
    EQUIPMENT = "equipment", "Equipment and environment"
    PROCESS = "process", "Processes and guidelines"
    EMOTIONAL = "emotional", "Emotional impact on the team"
    SKILLS = "skills", "Skills and training"
    OTHER = "other", "Something else"


class Debrief(models.Model):
    """An incident debrief beside its group: how it runs, its invitation link, its de-identified record, outreach.

    The invitation token is ``selector + verifier`` (as the calendar feed's): the selector finds the row and only
    the verifier's hash is kept. The link expires with the debrief.
    """

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="debrief")
    mode = models.CharField(max_length=4, choices=DebriefMode.choices)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    start_key = models.CharField(
        max_length=64, help_text="The starter's idempotency key: a double tap starts one debrief, not two."
    )
    invite_selector = models.CharField(max_length=16, unique=True)
    invite_verifier_hash = models.CharField(max_length=64)
    invite_expires_at = models.DateTimeField()
    outreach_after_hours = models.PositiveSmallIntegerField(default=24)
    themes = models.JSONField(default=list, blank=True, help_text="Theme values: tags, never names.")
    summary = EncryptedTextField(blank=True, help_text="STOP5 S: what happened, without names or the patient.")
    went_well = EncryptedTextField(blank=True)
    to_improve = EncryptedTextField(blank=True)
    to_action = EncryptedTextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["started_by", "start_key"], name="debrief_start_once"),
            models.CheckConstraint(
                condition=Q(outreach_after_hours__gte=24, outreach_after_hours__lte=72),
                name="debrief_outreach_24_72h",
            ),
        ]

    def __str__(self) -> str:
        return f"debrief {self.pk}"
