"""Sessions and calendar feeds move here from connections: created in the state only, on the tables connections made."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import alongside.lib.time


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("connections", "0005_sessions_to_meetings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarFeed",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("selector", models.CharField(max_length=16, unique=True)),
                        ("verifier_hash", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField(default=alongside.lib.time.now)),
                        ("last_read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="calendar_feed",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "connections_calendarfeed"},
                ),
                migrations.CreateModel(
                    name="Session",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("starts_at", models.DateTimeField(db_index=True)),
                        ("minutes", models.PositiveSmallIntegerField(default=60)),
                        ("medium", models.CharField(help_text="A supporters.Format value both sides accept.", max_length=10)),
                        (
                            "proposed_in",
                            models.CharField(help_text="The time zone the proposer entered the time in.", max_length=64),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("proposed", "Proposed"),
                                    ("agreed", "Agreed"),
                                    ("cancelled", "Cancelled"),
                                    ("held", "Held"),
                                    ("superseded", "Another time was proposed"),
                                ],
                                default="proposed",
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=alongside.lib.time.now)),
                        ("agreed_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        ("held_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "reminded_24h_at",
                            models.DateTimeField(blank=True, help_text="Claimed by the reminder task.", null=True),
                        ),
                        (
                            "reminded_1h_at",
                            models.DateTimeField(blank=True, help_text="Claimed by the reminder task.", null=True),
                        ),
                        (
                            "cancelled_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "connection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sessions",
                                to="connections.connection",
                            ),
                        ),
                        (
                            "proposed_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                            ),
                        ),
                        (
                            "replaces",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="replaced_by",
                                to="meetings.session",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "connections_session",
                        "ordering": ["starts_at", "id"],
                        "indexes": [models.Index(fields=["status", "starts_at"], name="connections_status_4155a8_idx")],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "proposed")),
                                fields=("connection",),
                                name="session_one_proposal_per_connection",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("minutes__gte", 15), ("minutes__lte", 180)), name="session_minutes_15_180"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status__in", ["agreed", "held"]), _negated=True),
                                    ("agreed_at__isnull", False),
                                    _connector="OR",
                                ),
                                name="session_agreed_has_time",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "cancelled"), _negated=True),
                                    ("cancelled_at__isnull", False),
                                    _connector="OR",
                                ),
                                name="session_cancelled_has_time",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "held"), _negated=True), ("held_at__isnull", False), _connector="OR"
                                ),
                                name="session_held_has_time",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
