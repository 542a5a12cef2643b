"""Threads and their messages: the conversation of a connection, and later of talk-now and groups.

The database is the source of truth. Each message carries a per-thread sequence number
(``seq``, 1, 2, 3 ... with no gaps) handed out under a lock on the thread row, and the
sender's idempotency key (``client_key``): the same key sent twice yields the same message.
Bodies are encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from alongside.lib.fields import EncryptedTextField
from alongside.lib.time import now

BODY_MAX_LENGTH = 4000
"""Characters in one message (checked by the consumer and the writer)."""
CLIENT_KEY_MAX_LENGTH = 64


class ThreadKind(models.TextChoices):
    CONNECTION = "connection", "Connection"
    TALKNOW = "talknow", "Talk now"
    GROUP = "group", "Group"


class Thread(models.Model):
    """A conversation. ``last_seq`` is the seq of its newest message; the writer bumps it under a row lock."""

    kind = models.CharField(max_length=12, choices=ThreadKind.choices)
    connection = models.OneToOneField(
        "connections.Connection", null=True, blank=True, on_delete=models.CASCADE, related_name="thread"
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=now)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="Takes no new messages (a connection's thread also closes with it)."
    )
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the retention policy erased its messages' words (safety.retention); each message keeps its seq.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="connection") | Q(connection__isnull=False), name="thread_connection_kind_has_one"
            ),
        ]

    def __str__(self) -> str:
        return f"thread {self.pk}"


class ThreadMember(models.Model):
    """Someone who takes part in a thread, how far they have read, and when they were last emailed about it."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_memberships")
    last_read_seq = models.PositiveBigIntegerField(default=0)
    joined_at = models.DateTimeField(default=now)
    left_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="The last 'you have a new message' email; claimed by the task."
    )
    shown_name = models.CharField(
        max_length=40,
        blank=True,
        default="",
        db_default="",
        help_text="The name shown in this thread instead of the profile's display name: a debrief guest's first name.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="thread_member_once")]
        indexes = [models.Index(fields=["user", "left_at"])]

    def __str__(self) -> str:
        return f"member {self.user_id} of thread {self.thread_id}"


class MessageKind(models.TextChoices):
    TEXT = "text", "Text"
    REFERRAL = "referral", "Referral card"


class Message(models.Model):
    """One message. A deleted message keeps its seq (so replay has no gaps) and loses its body.

    ``deleted_at`` also marks a message erased by the retention policy or by its sender deleting their account:
    each leaves the row and seq, empties the body, and the thread page says why (``Thread.erased_at``, or a
    sender who is gone).

    A referral card (``kind`` referral) carries a library resource and no body; it shows as a card. Its resource
    may be deleted later: the card then says so ("a resource that is no longer listed").
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=CLIENT_KEY_MAX_LENGTH)
    body = EncryptedTextField(blank=True)
    kind = models.CharField(max_length=10, choices=MessageKind.choices, default=MessageKind.TEXT)
    resource = models.ForeignKey("library.Resource", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["thread", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(fields=["thread", "sender", "client_key"], name="message_client_key_unique"),
        ]

    def __str__(self) -> str:
        return f"message {self.seq} of thread {self.thread_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
