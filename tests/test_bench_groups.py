"""The group fan-out benchmark's bookkeeping: a delivery missing at one socket shows as lost and as a seq gap."""

from __future__ import annotations

from typing import Any

from bench import groups as bench


def _run(frames_by_socket: dict[int, list[int]]) -> tuple[dict[str, Any], int]:
    """One group of SIZE sockets; socket 1 sent messages 1..3 (seqs 1..3); each socket read the seqs given (all by
    default)."""
    tally = bench.Tally()
    sockets = [bench._Socket(0, i, None, tally) for i in range(bench.SIZE)]  # type: ignore[arg-type]
    for n in (1, 2, 3):
        message_id = f"1-{n}"
        tally.sent[message_id] = 0
        tally.group_of[message_id] = 0
        tally.acked[message_id] = n
    for s in sockets:
        for seq in frames_by_socket.get(s.index, [1, 2, 3]):
            s.seen.add(f"1-{seq}")
            s.seqs.append(seq)
            tally.received[f"1-{seq}"] = tally.received.get(f"1-{seq}", 0) + 1
    out = bench.figures(tally, sockets, {"connect_s": 0.0}, 1.0)
    return out, bench.seq_gaps(sockets, tally)


def test_every_socket_reading_every_message_is_nothing_lost() -> None:
    out, gaps = _run({})
    assert (out["expected"], out["received"], out["lost"], gaps) == (3 * bench.SIZE, 3 * bench.SIZE, 0, 0)


def test_a_message_missing_at_one_socket_is_lost_and_a_gap() -> None:
    out, gaps = _run({7: [1, 3]})
    assert (out["lost"], gaps) == (1, 1)


def test_a_missing_last_message_is_a_gap_too() -> None:
    out, gaps = _run({7: [1, 2]})
    assert (out["lost"], gaps) == (1, 1)
