"""A database made before sessions and the matching weights moved keeps its rows: the moves change the state only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alongside.connections.models import Connection
from alongside.matching.models import MatchingSettings
from alongside.meetings.models import CalendarFeed, Session
from tests import factories

BEFORE_THE_MOVES = [("connections", "0003_sessions")]


@pytest.mark.django_db(transaction=True)
def test_sessions_feeds_and_weights_made_before_the_moves_are_read_after_them():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVES)
    old = executor.loader.project_state(BEFORE_THE_MOVES).apps
    assert not {"meetings", "matching"} & {m._meta.app_label for m in old.get_models()}

    member, supporter = factories.member(), factories.supporter()
    profile = old.get_model("supporters", "SupporterProfile").objects.create(user_id=supporter.pk)
    request = old.get_model("connections", "SupportRequest").objects.create(member_id=member.pk, status="matched")
    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    link = old.get_model("connections", "Connection").objects.create(
        member_id=member.pk,
        supporter_id=profile.pk,
        request_id=request.pk,
        review_due_at=now,
        review_due_sessions=6,
    )
    old.get_model("connections", "Session").objects.create(
        connection_id=link.pk,
        proposed_by_id=member.pk,
        starts_at=now,
        medium="chat",
        proposed_in="Australia/Melbourne",
    )
    old.get_model("connections", "CalendarFeed").objects.create(user_id=member.pk, selector="s" * 16, verifier_hash="h")
    old.get_model("connections", "MatchingSettings").objects.create(pk=1, topic_experience=7.5)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    session = Session.objects.get()
    assert (session.connection_id, session.starts_at, session.proposed_by_id) == (link.pk, now, member.pk)
    assert list(Connection.objects.get(pk=link.pk).sessions.all()) == [session]
    assert CalendarFeed.objects.get().user_id == member.pk
    assert MatchingSettings.current().topic_experience == 7.5
