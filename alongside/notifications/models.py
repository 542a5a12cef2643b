"""In-app notifications. They say that something happened, never what anyone wrote or who they are."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alongside.lib.fields import EncryptedTextField


class Kind(models.TextChoices):
    WELCOME = "welcome", "Welcome to the service. Your profile is ready."
    ROLE_GRANTED = "role_granted", "You have been given a new role in the service."
    ROLE_REMOVED = "role_removed", "One of your roles in the service has been removed."
    OFFER_NEW = "offer_new", "You have a new offer to support a colleague."
    OFFER_WITHDRAWN = "offer_withdrawn", "An offer to support a colleague is no longer open."
    OFFER_NEXT = "offer_next", "The peer you chose couldn't take this on, so we have asked the next suggested peer."
    OFFER_FROM_COORDINATORS = "offer_coordinators", "The coordinators have found a peer for you and asked them."
    REQUEST_WAITLISTED = (
        "request_waitlisted",
        "Your request for a peer is with the coordinators, who will find someone.",
    )
    CONNECTION_STARTED = "connection_started", "Your ongoing peer connection has started."
    CONNECTION_CLOSED = "connection_closed", "One of your peer connections has closed."
    REVIEW_DUE = "review_due", "It is time to review how your peer connection is going."
    SUPPORTER_PAUSED = "supporter_paused", "A coordinator has paused new offers to you for now."
    SUPPORTER_RESUMED = "supporter_resumed", "A coordinator has resumed new offers to you."
    SESSION_PROPOSED = "session_proposed", "Your peer has proposed a time for a session."
    SESSION_AGREED = "session_agreed", "A session time has been agreed."
    SESSION_CANCELLED = "session_cancelled", "A session has been cancelled."
    SESSION_REMINDER_24H = "session_24h", "You have a peer support session in 24 hours."
    SESSION_REMINDER_1H = "session_1h", "You have a peer support session in 1 hour."
    MESSAGE_NEW = "message_new", "You have a new message."
    COVER_TAKEN = "cover_taken", "Another supporter has taken the shift place you offered for cover."
    CALLBACK_NEW = "callback_new", "Someone has asked for a call-back in one of your shifts."
    CALLBACK_CANCELLED = "callback_cancelled", "A call-back you took has been cancelled."
    TALKNOW_WAITING = "talknow_waiting", "A talk-now request is waiting and nobody on shift has taken it."
    CONCERN_RAISED = "concern_raised", "A concern has been raised and needs a coordinator now."
    DEBRIEF_REQUESTED = "debrief_requested", "A supporter has asked for a debrief."
    REPORT_NEW = "report_new", "A report about someone's conduct is waiting for the coordinators."
    REVIEW_OVERDUE = "review_overdue", "A review of your peer connection is overdue."
    APPLICATION_NEW = "application_new", "Someone has applied to become a peer supporter."
    APPLICATION_STEP = "application_step", "Your application to become a peer supporter has moved on a step."
    REFERENCE_IN = "reference_in", "A referee has answered for an application."
    TRAINING_EXPIRING = "training_expiring", "One of your training modules needs renewing within 30 days."
    TRAINING_PAUSED = "training_paused", "Your offers and shifts are paused until your required training is current."
    TRAINING_CONFIRMED = "training_confirmed", "A coordinator has confirmed your training."
    HARD_WEEK = "hard_week", "You have had a few hard contacts this week. A debrief might help."
    HARD_WEEK_COORDINATOR = "hard_week_coord", "A supporter has had several hard contacts this week."
    GROUP_REQUEST_NEW = "group_request_new", "Someone has asked to join a group you facilitate."
    GROUP_JOINED = "group_joined", "You have joined a group."
    GROUP_DECLINED = "group_declined", "A group you asked to join could not take you this time."
    GROUP_REMOVED = "group_removed", "A facilitator has removed you from a group."
    GROUP_MEETING_24H = "group_meeting_24h", "One of your groups meets in 24 hours."
    GROUP_MEETING_1H = "group_meeting_1h", "One of your groups meets in 1 hour."
    GROUP_MEETING_NEW = "group_meeting_new", "One of your groups has a new meeting time."
    GROUP_MEETING_CANCELLED = "group_meeting_cancelled", "A meeting of one of your groups has been cancelled."
    GROUP_NEEDS_FACILITATOR = "group_no_facilitator", "A group has no facilitator now: it is paused until one is added."
    DEBRIEF_OUTREACH = "debrief_outreach", "After the debrief: a colleague is here if you would like to talk."


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.get_kind_display()


class PushSubscription(models.Model):
    """One device (a browser's service worker) a person asked to get alerts on (docs/push.md).

    The endpoint identifies the device to its push service, so it is kept encrypted; its SHA-256 (the endpoint
    carries a long random token, so the digest says nothing) keeps it unique and finds it again. The keys only
    encrypt what is sent to that endpoint. Neither the endpoint nor a payload ever reaches a log.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = EncryptedTextField()
    endpoint_digest = models.CharField(max_length=64, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=32)
    label = models.CharField(max_length=80, help_text="The browser and system, e.g. 'Chrome on Android'.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Failed sends in a row; the next send waits until next_attempt_at (backoff), and too many drop the device.
    failure_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return self.label
