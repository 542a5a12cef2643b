"""The audit chain: every event sealed in order, and any change, removal or insertion found by `audit verify`."""

from __future__ import annotations

import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from alongside.audit.chain import seal, verify
from alongside.audit.models import AuditEvent
from alongside.audit.services import record
from alongside.lib import crypto


def _events(n: int, **kwargs: object) -> list[AuditEvent]:
    return [record(f"tests.event_{i}", target_type="tests.thing", target_id=i, **kwargs) for i in range(n)]  # type: ignore[arg-type]


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify_output() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_sealed_events_form_an_intact_chain_in_order() -> None:
    events = _events(5)
    assert verify().unsealed == 5
    assert seal() == 5
    assert seal() == 0
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [e.pk for e in rows] == [e.pk for e in events]
    assert [e.seq for e in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == "" and all(b.prev_hash == a.chain_hash for a, b in itertools.pairwise(rows))
    verdict = verify()
    assert verdict.intact and verdict.events == 5 and verdict.head_hash == rows[-1].chain_hash
    assert f"5 event(s) sealed, 0 waiting to be sealed. Head: {rows[-1].chain_hash}" in _verify_output()


@pytest.mark.django_db
def test_a_changed_event_is_reported_at_its_place_in_the_chain() -> None:
    events = _events(4)
    seal()
    _raw("UPDATE audit_auditevent SET outcome = 'ok', actor_id = 999 WHERE id = %s", [events[2].pk])

    verdict = verify()
    assert not verdict.intact
    assert (verdict.broken_at, verdict.event_id) == (3, events[2].pk)
    assert "changed after it was written" in verdict.problem
    with pytest.raises(CommandError, match=rf"broken at event 3 of the chain \(row id {events[2].pk}\)"):
        _verify_output()


@pytest.mark.django_db
def test_a_removed_event_and_a_cut_off_end_are_both_reported() -> None:
    events = _events(4)
    seal()
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    verdict = verify()
    assert verdict.broken_at == 2 and "missing" in verdict.problem

    _raw("DELETE FROM audit_auditevent WHERE id > %s", [events[0].pk])
    verdict = verify()
    assert verdict.broken_at == 2 and "at the end of the chain are missing" in verdict.problem


@pytest.mark.django_db
def test_a_rewritten_link_and_a_changed_unsealed_event_are_reported() -> None:
    events = _events(3)
    seal()
    _raw("UPDATE audit_auditevent SET chain_hash = %s WHERE id = %s", ["0" * 64, events[1].pk])
    assert verify().broken_at == 2

    _raw("UPDATE audit_auditevent SET chain_hash = %s WHERE id = %s", ["f" * 64, events[1].pk])
    late = record("tests.late")
    _raw("UPDATE audit_auditevent SET action = 'tests.other' WHERE id = %s", [late.pk])
    assert not verify().intact


@pytest.mark.django_db
def test_rotating_the_encryption_of_a_reason_keeps_the_chain_intact() -> None:
    event = record("tests.role_granted", reason="Because they finished their training")
    seal()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM audit_auditevent WHERE id = %s", [event.pk])
        (stored,) = cursor.fetchone()
    assert "training" not in stored
    ring = crypto.keyring()
    _raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", [ring.encrypt(ring.decrypt(stored)), event.pk])
    assert verify().intact

    _raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", [ring.encrypt("Because I said so"), event.pk])
    assert verify().problem == "its content was changed after it was written"


@pytest.mark.django_db(transaction=True)
def test_sealers_running_at_once_never_give_out_the_same_place() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two sealers at once need a database with row locks (PostgreSQL)")
    _events(300)
    counts: list[int] = []

    def run() -> None:
        try:
            counts.append(seal())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 300
    verdict = verify()
    assert verdict.intact and verdict.events == 300
