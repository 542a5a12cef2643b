"""Exact batch matching of the waitlist: a min-cost flow on each request's best candidates,
proved optimal over *all* feasible pairs with dual prices.

The objective (see ``docs/matching.md``): maximise, over assigned pairs,
``BASE + wait bonus + pair score``, less each supporter's convex load costs
(``load_cost_units(s, k)`` for their k-th new connection). ``BASE`` is larger than anything
the other terms can change in total, so the number of matched requests is maximised first.

Why not a single library call: 10,000 requests x 2,000 supporters is ~19 million feasible
pairs, which a plain min-cost flow solves in ~15 s and 2.7 GB. Instead we

1. score every pair with numpy (``score_matrix``, the vectorised twin of
   ``engine.pair_score_units``) into one int32 matrix;
2. keep each request's best candidates and each supporter's best requests;
3. solve that sparse graph exactly (OR-Tools min-cost flow);
4. recover dual prices (request prices ``u``, supporter prices ``p``) from the optimal flow by
   solving a system of difference constraints (Bellman-Ford);
5. price every pair: a pair with ``u_r + p_s < value`` could improve the objective, so it is
   added and we go back to 3. When no pair remains, the duals are feasible for the full
   problem and their objective equals the flow's: by LP duality the flow is optimal.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from alongside.matching.engine import (
    CAREER_STAGES,
    OVERLAP_FULL_HOURS,
    SCALE,
    Request,
    Supporter,
    Weights,
    WeightUnits,
    is_feasible,
    load_cost_units,
    pair_score_units,
    reasons,
    stage_fit_halves,
    wait_bonus_units,
)

NEG: Final = -(2**30)
"""Score-matrix marker for an infeasible pair: far below any real score, and safe to add to."""
ROW_CANDIDATES: Final = 6
"""Candidates kept per request: its best supporters by suggestion score."""
COLUMN_CANDIDATES: Final = 12
"""Candidates kept per supporter: the requests that would gain most from them (with waiting time)."""
CHUNK_CELLS: Final = 1 << 21
"""Matrix cells handled per chunk: bounds temporary memory (~tens of MB) and lets threads share work."""
BLOCK: Final = 16
"""Cells per block in the candidate search."""
MAX_ROUNDS: Final = 50
"""Rounds of solve-and-price before giving up with SolverError (two or three are usual)."""
PRICING_PER_ROW: Final = 16
"""At most about this many improving pairs per request are added in one round (only floods are cut)."""
LOOKAHEAD: Final = 20
"""Pricing also adds pairs within 1/LOOKAHEAD of the score range of improving the flow: they
tend to become improving once prices move, so adding them early saves whole rounds. It
changes how fast the proof comes, never the result."""

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
SI = TypeVar("SI", npt.NDArray[np.int32], npt.NDArray[np.int64])
T = TypeVar("T")


EXACT_LIMIT: Final = 2**61
"""The largest pair value times (flow nodes + 1) stays below this, or the batch is refused.
OR-Tools' min-cost flow scales costs by the node count and refuses (BAD_COST_RANGE) from
somewhere between 0.7 and 1 x 2**62, depending on the graph; half of 2**62 leaves a margin,
and keeps the objective and the dual sums far inside int64."""


class SolverError(RuntimeError):
    """The solver could not prove its answer optimal: a bug, never an expected outcome, unless
    it is a TooLargeError."""


class TooLargeError(SolverError):
    """The batch's values do not fit exact 64-bit arithmetic. Only huge batches at extreme
    weights and loads get here (about 14,000 requests x 2,000 supporters with every weight at
    1,000 and loads 10,000 over a capacity of 1); the solver refuses rather than round."""


class Pair(NamedTuple):
    """One proposed match in a batch, with the reasons shown in the coordinator's preview."""

    request_id: int
    supporter_id: int
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Assignment:
    """The batch result. ``objective_units`` is exact; ``objective`` is the same in points."""

    pairs: list[Pair]
    objective: float
    unmatched: list[int]
    objective_units: int = 0
    base_units: int = 0
    certified: bool = False
    rounds: int = 0
    candidate_pairs: int = 0
    feasible_pairs: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


# --- the objective ------------------------------------------------------------------


def base_value_units(requests: Sequence[Request], supporters: Sequence[Supporter], units: WeightUnits) -> int:
    """The value of matching a request at all, in units.

    Every other term of a pair's value lies in ``[-max load cost, max pair score + max wait
    bonus]``, a range of width ``spread``. Between an assignment of m + 1 <= n pairs and one of
    m pairs those terms differ by at most ``(m + 1) * spread <= n * spread``, so with
    ``BASE = n * spread + 1`` one more match always wins: the count matched is maximised first.
    """
    max_load = max(
        (load_cost_units(s, max(min(s.capacity_left, len(requests)), 1) - 1, units) for s in supporters), default=0
    )
    spread = (
        units.topic_experience
        + units.career_stage_fit
        + units.specialty_wish
        + units.time_overlap
        + units.waiting_time
        + max_load
    )
    return max(len(requests), 1) * spread + 1


def _largest_value(base: int, units: WeightUnits) -> int:
    """The largest value a pair can have: BASE, the full waiting bonus and a perfect pair score."""
    score = units.topic_experience + units.career_stage_fit + units.specialty_wish + units.time_overlap
    return base + units.waiting_time + score


def _slots(supporter: Supporter, n_requests: int) -> int:
    """New connections the supporter can take in this batch (never more than there are requests)."""
    if not supporter.available:
        return 0
    return max(0, min(supporter.capacity_left, n_requests))


# --- the vectorised twin of engine.pair_score_units -----------------------------------


def _key_index(table: dict[T, int], key: T) -> int:
    index = table.get(key)
    if index is None:
        index = table[key] = len(table)
    return index


def _membership(sets: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> npt.NDArray[np.bool_]:
    """Boolean [len(vocabulary), len(sets)]: which column holds which word."""
    rows, cols = [], []
    for col, words in enumerate(sets):
        for word in words:
            rows.append(_key_index(vocabulary, word))
            cols.append(col)
    matrix = np.zeros((max(len(vocabulary), 1), len(sets)), dtype=bool)
    matrix[rows, cols] = True
    return matrix


def _week_words(sets: Sequence[frozenset[int]]) -> npt.NDArray[np.uint64]:
    """uint64 [3, len(sets)]: each weekly availability as a 168-bit mask in three words."""
    bits = np.zeros((len(sets), 24), dtype=np.uint8)  # 192 bits, the last 24 always clear
    rows = [i for i, slots in enumerate(sets) for _ in slots]
    cols = [slot for slots in sets for slot in slots]
    hours = np.zeros((len(sets), 192), dtype=bool)
    hours[rows, cols] = True
    bits[:] = np.packbits(hours, axis=1, bitorder="little")
    return np.ascontiguousarray(bits.view(np.uint64).T)


def _threads() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def _run_chunks(work: Callable[[int, int], T], n_rows: int, row_cells: int, threads: int) -> list[T]:
    """``work(lo, hi)`` over row chunks of about CHUNK_CELLS cells (multiples of BLOCK rows),
    in threads: numpy releases the GIL, so two cores share the work."""
    step = max(1, CHUNK_CELLS // max(row_cells, 1) // BLOCK) * BLOCK
    bounds = [(lo, min(lo + step, n_rows)) for lo in range(0, n_rows, step)]
    if threads <= 1 or len(bounds) <= 1:
        return [work(lo, hi) for lo, hi in bounds]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda b: work(*b), bounds))


class _Encoded:
    """Requests and supporters as numpy arrays, with one table row per distinct key, so that
    the per-pair work is a few row gathers and adds: requests share topics, wishes and
    languages; time overlap is a popcount of 168-bit weekly masks; workplace conflicts,
    blocks and the member themself are sparse and set one by one."""

    def __init__(self, requests: Sequence[Request], supporters: Sequence[Supporter], units: WeightUnits) -> None:
        n = len(supporters)
        self.n_rows, self.n_cols = len(requests), n
        self.overlap_weight = units.time_overlap
        col_of_id = {s.id: j for j, s in enumerate(supporters)}
        cols_of_user: dict[int, list[int]] = {}
        cols_of_workplace: dict[int, list[int]] = {}
        for j, s in enumerate(supporters):
            cols_of_user.setdefault(s.user_id, []).append(j)
            for w in s.workplaces:
                cols_of_workplace.setdefault(w, []).append(j)
        workplace_cols = {w: np.array(cols, dtype=np.int64) for w, cols in cols_of_workplace.items()}

        topic_vocab: dict[str, int] = {}
        language_vocab: dict[str, int] = {}
        format_vocab: dict[str, int] = {}
        for r in requests:  # words only requests use still need a (empty) row
            for vocab, used in ((topic_vocab, r.topics), (language_vocab, r.languages), (format_vocab, r.formats)):
                for word in used:
                    _key_index(vocab, word)
        sup_topics = _membership([s.topics for s in supporters], topic_vocab)
        sup_languages = _membership([s.languages for s in supporters], language_vocab)
        sup_formats = _membership([s.formats for s in supporters], format_vocab)
        stage_code = {stage: i for i, stage in enumerate(CAREER_STAGES)}
        sup_stage = np.array([stage_code.get(s.career_stage, len(CAREER_STAGES)) for s in supporters], dtype=np.int64)
        specialty_vocab: dict[str, int] = {}
        sup_specialties = _membership([s.specialties for s in supporters], specialty_vocab)
        gender_codes: dict[str | None, int] = {}
        sup_gender = np.array([_key_index(gender_codes, s.gender) for s in supporters], dtype=np.int64)
        sup_open = np.array([s.available and s.capacity_left > 0 for s in supporters], dtype=bool)
        self.sup_words = _week_words([s.availability for s in supporters])
        self.req_words = _week_words([r.availability for r in requests])

        topic_keys: dict[frozenset[str], int] = {}
        stage_keys: dict[tuple[str, str, str | None], int] = {}
        feasible_keys: dict[tuple[frozenset[str], frozenset[str], str | None], int] = {}
        kt, ks, kf = [], [], []
        # Pairs ruled out one by one: (row, supporters at a banned workplace) and single (row, col).
        banned_rows: list[int] = []
        banned_cols: list[npt.NDArray[np.int64]] = []
        single_rows: list[int] = []
        single_cols: list[int] = []
        for i, r in enumerate(requests):
            kt.append(topic_keys.setdefault(r.topics, len(topic_keys)))
            wish = r.specialty if r.same_specialty == "prefer" else None
            ks.append(stage_keys.setdefault((r.career_stage, r.peer_kind, wish), len(stage_keys)))
            kf.append(feasible_keys.setdefault((r.languages, r.formats, r.gender_wanted), len(feasible_keys)))
            for group in (r.excluded_workplaces, () if r.allow_own_workplace else r.member_workplaces):
                for w in group:
                    if w in workplace_cols:
                        banned_rows.append(i)
                        banned_cols.append(workplace_cols[w])
            for b in r.blocked_supporter_ids:
                if b in col_of_id:
                    single_rows.append(i)
                    single_cols.append(col_of_id[b])
            for j in cols_of_user.get(r.member_user_id, ()):
                single_rows.append(i)
                single_cols.append(j)
        self.kt, self.ks, self.kf = (np.array(k, dtype=np.intp) for k in (kt, ks, kf))
        sizes = np.array([c.size for c in banned_cols], dtype=np.int64)
        # Workplace entries were appended in row order, singles too; a stable sort merges them.
        rows = np.concatenate([np.repeat(np.array(banned_rows, dtype=np.int64), sizes), single_rows]).astype(np.int64)
        cols = np.concatenate([*banned_cols, np.array(single_cols, dtype=np.int64)]).astype(np.int64)
        order = np.argsort(rows, kind="stable")
        self.sparse_rows, self.sparse_cols = rows[order], cols[order]
        self.sparse_start = np.searchsorted(self.sparse_rows, np.arange(self.n_rows + 1))

        # Topic experience: one row per distinct set of requested topics.
        self.topic_table = np.zeros((max(len(topic_keys), 1), n), dtype=np.int32)
        for topics, k in topic_keys.items():
            if topics:
                covered = sup_topics[[topic_vocab[t] for t in topics]].sum(axis=0, dtype=np.int64)
                self.topic_table[k] = units.topic_experience * covered // len(topics)
        # Career-stage fit and specialty wish: one row per (stage, kind of peer, specialty wished).
        self.stage_table = np.zeros((max(len(stage_keys), 1), n), dtype=np.int32)
        for (stage, kind, wish), k in stage_keys.items():
            halves = [stage_fit_halves(stage, kind, other) for other in CAREER_STAGES] + [0]
            row = units.career_stage_fit * np.array(halves, dtype=np.int64)[sup_stage] // 2
            if wish is not None and wish in specialty_vocab:  # a wish no supporter has adds nothing
                row += units.specialty_wish * sup_specialties[specialty_vocab[wish]]
            self.stage_table[k] = row
        # Formats, languages, gender and openness: one row per distinct combination, NEG where the
        # pair is infeasible and "no limit" elsewhere, applied with a minimum (cheaper than a mask).
        self.ceiling_table = np.full((max(len(feasible_keys), 1), n), NEG, dtype=np.int32)
        for (languages, formats, gender), k in feasible_keys.items():
            if not languages or not formats:
                continue  # nobody shares an empty set
            ok = sup_open.copy()
            ok &= sup_languages[[language_vocab[x] for x in languages]].any(axis=0)
            ok &= sup_formats[[format_vocab[x] for x in formats]].any(axis=0)
            if gender is not None:
                ok &= sup_gender == gender_codes.get(gender, -1)
            self.ceiling_table[k, ok] = np.iinfo(np.int32).max

    def fill(self, out: I32, lo: int, hi: int) -> int:
        """Write the scores of request rows lo..hi into ``out`` (NEG where infeasible); count the feasible."""
        # Shared free hours: popcount of the AND of the weekly masks, word by word.
        both = np.empty(out.shape, dtype=np.uint64)
        count = np.empty(out.shape, dtype=np.uint8)
        hours = np.zeros(out.shape, dtype=np.uint8)
        for word in range(3):
            np.bitwise_and(self.req_words[word, lo:hi, None], self.sup_words[word, None, :], out=both)
            hours += np.bitwise_count(both, out=count)
        np.minimum(hours, OVERLAP_FULL_HOURS, out=hours)
        np.copyto(out, hours)
        out *= self.overlap_weight
        out //= OVERLAP_FULL_HOURS  # == engine.overlap_units
        out += self.topic_table[self.kt[lo:hi]]
        out += self.stage_table[self.ks[lo:hi]]
        np.minimum(out, self.ceiling_table[self.kf[lo:hi]], out=out)
        a, b = self.sparse_start[lo], self.sparse_start[hi]
        out[self.sparse_rows[a:b] - lo, self.sparse_cols[a:b]] = NEG
        return int(np.count_nonzero(out > NEG))


def score_matrix(
    requests: Sequence[Request], supporters: Sequence[Supporter], units: WeightUnits, *, threads: int | None = None
) -> I32:
    """Pair scores [request, supporter] in units, NEG where a hard constraint forbids the pair.

    The vectorised twin of ``engine.is_feasible`` and ``engine.pair_score_units`` (tested equal).
    """
    encoded = _Encoded(requests, supporters, units)
    matrix = np.empty((len(requests), len(supporters)), dtype=np.int32)

    def work(lo: int, hi: int) -> int:
        return encoded.fill(matrix[lo:hi], lo, hi)

    _run_chunks(work, len(requests), len(supporters), threads or _threads())
    return matrix


# --- candidates ---------------------------------------------------------------------


def _top_blocks(block_max: SI, k: int, first_row: int = 0) -> tuple[I64, I64, SI]:
    """Per row of block maxima: the k blocks with the largest maxima, as (row, block) pairs,
    and the k-th largest maximum. Every cell above that threshold lies in a chosen block, and
    each chosen block holds a cell at least that large.

    Ties are broken from a different starting block in each row: when many scores tie (say
    every weight is 0), rows then pick different supporters instead of all the first ones.
    """
    n, n_blocks = block_max.shape
    if n_blocks <= k:
        who, block = np.nonzero(np.ones((n, n_blocks), dtype=bool))
        return who, block, np.full(n, np.iinfo(block_max.dtype).min, dtype=block_max.dtype)
    kth = np.partition(block_max, n_blocks - k, axis=1)[:, n_blocks - k]
    greater = block_max > kth[:, None]
    start = (np.arange(first_row, first_row + n, dtype=np.int64) * 7919) % n_blocks
    order = (np.arange(n_blocks)[None, :] + start[:, None]) % n_blocks  # each row's visiting order
    tied = np.take_along_axis(block_max, order, axis=1) == kth[:, None]
    tied &= np.cumsum(tied, axis=1) <= (k - greater.sum(axis=1))[:, None]
    np.put_along_axis(greater, order, tied | np.take_along_axis(greater, order, axis=1), axis=1)
    who, block = np.nonzero(greater)
    return who, block, kth


def _few_ties(usable: npt.NDArray[np.bool_], value: I32, floor: I32, n: int, k: int) -> npt.NDArray[np.bool_]:
    """Cells of the chosen blocks to keep: every usable cell above the k-th best, and cells
    equal to it until each row has 2k. Each row owns the same number of consecutive block
    rows (``_top_blocks`` picks exactly min(k, blocks) per row), so rows are reshaped whole."""
    above = usable & (value > floor)
    if n == 0 or above.size == 0:
        return above
    tied = (usable & (value == floor)).reshape(n, -1)
    room = 2 * k - above.reshape(n, -1).sum(axis=1)
    tied &= np.cumsum(tied, axis=1) <= room[:, None]
    return above | tied.reshape(above.shape)


class _Candidates:
    """Each request's best supporters (by suggestion score) and each supporter's best
    requests (by pair score plus waiting bonus), found block by block: a block's maximum is
    cheap, and only blocks that can hold a top value are read cell by cell."""

    def __init__(self, scores: I32, first_load: I64, wait: I64) -> None:
        self.scores = scores
        n_rows, n_cols = scores.shape
        self.load32 = np.minimum(first_load, 2**28).astype(np.int32)  # ranking only: clipping cannot hurt
        self.wait32 = np.minimum(wait, 2**28).astype(np.int32)
        self.col_starts = np.arange(0, n_cols, BLOCK)
        self.column_block_max = np.empty((-(-n_rows // BLOCK), n_cols), dtype=np.int32)

    def rows(self, lo: int, hi: int) -> I64:
        """Called per chunk right after filling it: this chunk's row candidates, and its
        contribution to the per-column block maxima."""
        scores, n_cols = self.scores[lo:hi], self.scores.shape[1]
        key = scores - self.load32
        who, block, kth = _top_blocks(np.maximum.reduceat(key, self.col_starts, axis=1), ROW_CANDIDATES, lo)
        cols = block[:, None] * BLOCK + np.arange(BLOCK)
        valid = cols < n_cols
        cols = np.minimum(cols, n_cols - 1)
        rows = np.broadcast_to(who[:, None], cols.shape)
        value, floor = key[rows, cols], kth[who][:, None]
        keep = _few_ties(valid & (scores[rows, cols] > NEG), value, floor, hi - lo, ROW_CANDIDATES)
        found = (rows[keep] + lo).astype(np.int64) * n_cols + cols[keep]

        np.add(scores, self.wait32[lo:hi, None], out=key)
        whole = (hi - lo) // BLOCK * BLOCK
        first = lo // BLOCK
        self.column_block_max[first : first + whole // BLOCK] = key[:whole].reshape(-1, BLOCK, n_cols).max(axis=1)
        if whole < hi - lo:
            self.column_block_max[first + whole // BLOCK] = key[whole:].max(axis=0)
        return found

    def columns(self) -> I64:
        """After every chunk: each supporter's best requests."""
        n_rows, n_cols = self.scores.shape
        who, block, kth = _top_blocks(np.ascontiguousarray(self.column_block_max.T), COLUMN_CANDIDATES)
        rows = block[:, None] * BLOCK + np.arange(BLOCK)
        valid = rows < n_rows
        rows = np.minimum(rows, n_rows - 1)
        cols = np.broadcast_to(who[:, None], rows.shape)
        scores = self.scores[rows, cols]
        value, floor = scores + self.wait32[rows], kth[who][:, None]
        keep = _few_ties(valid & (scores > NEG), value, floor, n_cols, COLUMN_CANDIDATES)
        return rows[keep].astype(np.int64) * n_cols + cols[keep]


# --- the sparse exact solve and the dual certificate -----------------------------------


@dataclass(frozen=True, slots=True)
class _Flow:
    matched_to: I64  # column per request, -1 when unmatched
    load: I64  # new connections per supporter
    objective: int


def _solve_sparse(
    rows: I64, cols: I64, values: I64, slot_costs: I64, slot_owner: I64, n_rows: int, n_cols: int
) -> _Flow:
    """Exact max-value assignment on the candidate pairs, as a min-cost flow.

    Nodes: source, requests, supporters, sink. Each supporter reaches the sink through one
    unit arc per slot, costing that slot's load cost; a source->sink bypass lets requests
    stay unmatched. Convex slot costs mean the flow always fills a supporter's cheap slots first.
    """
    source, sink = 0, n_rows + n_cols + 1
    tails = np.concatenate([np.zeros(n_rows, np.int64), 1 + rows, 1 + n_rows + slot_owner, [source]])
    heads = np.concatenate([1 + np.arange(n_rows), 1 + n_rows + cols, np.full(slot_owner.size, sink), [sink]])
    capacities = np.ones(tails.size, dtype=np.int64)
    capacities[-1] = n_rows
    costs = np.concatenate([np.zeros(n_rows, np.int64), -values, slot_costs, [0]])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), capacities, costs)
    flow.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([n_rows, -n_rows], dtype=np.int64))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise SolverError(f"min-cost flow failed with status {status}")
    pair_arcs = np.arange(n_rows, n_rows + rows.size, dtype=np.int32)
    used = np.asarray(flow.flows(pair_arcs)) > 0
    matched_to = np.full(n_rows, -1, dtype=np.int64)
    matched_to[rows[used]] = cols[used]
    load = np.bincount(cols[used], minlength=n_cols).astype(np.int64)
    return _Flow(matched_to, load, -int(flow.optimal_cost()))


def _duals(
    rows: I64, cols: I64, values: I64, flow: _Flow, slot_cost: Callable[[I64], I64], slots: I64
) -> tuple[I64, I64]:
    """Dual prices (u per request, p per supporter) for the optimal flow on the candidate pairs.

    Complementary slackness fixes ``u_r = value(r, s) - p_s`` for a matched pair and ``u_r = 0``
    for an unmatched request; dual feasibility on the candidates then reads, for every
    candidate (r, s): ``p_s >= value(r, s) - u_r``, with ``u_r >= 0`` and ``p_s`` between the
    supporter's last and next slot costs. These are difference constraints
    ``p_a - p_b <= w``; the shortest-path distances (Bellman-Ford, started from each
    supporter's upper bound) are their greatest solution. A negative cycle would mean the
    flow was not optimal.
    """
    n_cols = slots.size
    inf = np.int64(2**62)
    load = flow.load
    upper = np.where(load < slots, slot_cost(load), inf)
    lower = np.where(load > 0, slot_cost(np.maximum(load - 1, 0)), -inf)
    sigma = flow.matched_to[rows]
    own = sigma == cols
    np.minimum.at(upper, cols[own], values[own])  # u_r >= 0 for a matched request
    unmatched = sigma < 0
    np.maximum.at(lower, cols[unmatched], values[unmatched])  # u_r = 0: p_s must cover the pair's value
    # p_sigma - p_s <= value(r, sigma) - value(r, s) for r matched to sigma, candidate s != sigma.
    own_value = np.zeros(flow.matched_to.size, dtype=np.int64)
    own_value[rows[own]] = values[own]
    other = ~own & ~unmatched
    tail, head = cols[other], sigma[other]
    weight = own_value[rows[other]] - values[other]
    order = np.lexsort((weight, head, tail))  # keep the tightest of parallel constraints
    tail, head, weight = tail[order], head[order], weight[order]
    first = np.ones(tail.size, dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    tail, head, weight = tail[first], head[first], weight[first]
    # Bellman-Ford, relaxing only the edges out of supporters whose price fell in the last
    # sweep (edges are sorted by tail): a shortest path has at most n_cols edges, so a price
    # still falling after n_cols + 1 sweeps means a negative cycle.
    first_edge = np.searchsorted(tail, np.arange(n_cols + 1))
    price = upper.copy()
    changed = np.flatnonzero(price < inf // 2)
    for _ in range(n_cols + 1):
        if changed.size == 0:
            break
        count = first_edge[changed + 1] - first_edge[changed]
        edge = np.repeat(first_edge[changed] - (np.cumsum(count) - count), count) + np.arange(count.sum())
        offer, target = price[tail[edge]] + weight[edge], head[edge]
        better = offer < price[target]
        relaxed = price.copy()
        np.minimum.at(relaxed, target[better], offer[better])
        changed = np.flatnonzero(relaxed < price)
        price = relaxed
    else:
        raise SolverError("negative cycle in the dual constraints: the sparse flow was not optimal")
    if np.any(price < lower) or np.any(price >= inf // 2):
        raise SolverError("no dual prices satisfy the sparse flow's constraints")
    u = np.zeros(flow.matched_to.size, dtype=np.int64)
    u[rows[own]] = values[own] - price[cols[own]]
    return u, price


def _price_out(scores: I32, row_part: I64, price: I64, threads: int, slack: int = 0) -> I64:
    """Linear indices of feasible pairs with ``score > row_part[r] + price[s] - slack``: their
    value exceeds ``u_r + p_s`` (less the look-ahead), so adding them could improve the flow.

    Exact on both paths; the certificate is only as sound as this search is complete. The
    threshold is split as ``(row_part + p0 - slack) + (price - p0)`` with ``p0 = min(price)``,
    so the second term ``d`` is never negative.

    - int32 (half the memory traffic) when both terms fit, ``d < 2**30`` included: a first
      term below NEG is raised to NEG. That changes no outcome, because the threshold stays
      below ``NEG + d < 0``, under every feasible score (scores are never negative), and the
      infeasible marker NEG is never above ``NEG + d``.
    - int64 otherwise, unclipped, with infeasible pairs masked out explicitly. Raising the first
      term to NEG here would be wrong: once prices spread by ``d >= 2**30`` (wide weights,
      loads far above capacity), ``NEG + d`` can exceed a real score whose true threshold is
      far lower, hiding an improving pair and letting a non-optimal flow pass as proved.
    """
    n_rows, n_cols = scores.shape
    p0 = int(price.min()) if price.size else 0
    shifted, spread = row_part + p0 - slack, price - p0
    fast = n_rows > 0 and int(shifted.max()) < 2**30 and int(spread.max(initial=0)) < 2**30
    left: npt.NDArray[np.signedinteger[Any]] = np.maximum(shifted, NEG).astype(np.int32) if fast else shifted
    right = spread.astype(left.dtype)

    col_starts = np.arange(0, n_cols, BLOCK)

    def work(lo: int, hi: int) -> I64:
        threshold = left[lo:hi, None] + right[None, :]
        hit = scores[lo:hi] > threshold
        if not fast:  # the int32 path keeps NEG out by its clip; here NEG may beat a very low threshold
            hit &= scores[lo:hi] > NEG
        if np.count_nonzero(hit) <= PRICING_PER_ROW * (hi - lo):
            r, c = np.nonzero(hit)
            return (r + lo).astype(np.int64) * n_cols + c
        # Too many to add at once (a flood would blow up the next flow and memory): keep each
        # row's largest margins. A row's best pair is always kept, so "nothing improving
        # was found" still means nothing improving exists.
        margin = scores[lo:hi].astype(np.int64) - threshold
        margin[~hit] = np.iinfo(np.int64).min
        who, block, kth = _top_blocks(np.maximum.reduceat(margin, col_starts, axis=1), PRICING_PER_ROW, lo)
        cols = np.minimum(block[:, None] * BLOCK + np.arange(BLOCK), n_cols - 1)
        rows = np.broadcast_to(who[:, None], cols.shape)
        keep = hit[rows, cols] & (margin[rows, cols] >= kth[who][:, None])
        return np.unique((rows[keep] + lo).astype(np.int64) * n_cols + cols[keep])

    found = _run_chunks(work, n_rows, n_cols, threads)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


class _Clock:
    """Seconds spent per phase, for the benchmark's breakdown."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self._last
        self._last = now


def solve(
    requests: Sequence[Request],
    supporters: Sequence[Supporter],
    weights: Weights,
    *,
    topic_phrases: Mapping[str, str] | None = None,
    threads: int | None = None,
) -> Assignment:
    """The exact optimal assignment of all waiting requests (see the module docstring)."""
    clock = _Clock()
    units = weights.units()
    threads = threads or _threads()
    n_rows = len(requests)
    columns = [s for s in supporters if _slots(s, n_rows) > 0]
    n_cols = len(columns)
    base = base_value_units(requests, columns, units)
    largest = _largest_value(base, units)  # every flow cost lies within +-largest
    if n_rows and n_cols and largest * (n_rows + n_cols + 3) >= EXACT_LIMIT:
        raise TooLargeError(
            f"{n_rows} requests x {n_cols} supporters at these weights and loads need pair values up to "
            f"{largest} units, too large for exact 64-bit arithmetic: split the batch or lower load_spread"
        )
    wait = np.array([wait_bonus_units(r, units) for r in requests], dtype=np.int64)
    slots = np.array([_slots(s, n_rows) for s in columns], dtype=np.int64)
    active = np.array([s.active_load for s in columns], dtype=np.int64)
    capacity = np.array([max(s.capacity, 1) for s in columns], dtype=np.int64)

    def slot_cost(k: I64) -> I64:
        """load_cost_units for every supporter at once (k per supporter); tested equal."""
        return units.load_spread * (active + k + 1) // capacity

    slot_owner = np.repeat(np.arange(n_cols, dtype=np.int64), slots)
    slot_rank = np.arange(slot_owner.size, dtype=np.int64) - np.repeat(np.cumsum(slots) - slots, slots)
    slot_costs = units.load_spread * (active[slot_owner] + slot_rank + 1) // capacity[slot_owner]
    encoded = _Encoded(requests, columns, units)
    clock.lap("encode")

    # One pass over the matrix: score a chunk of requests, then pick candidates from it while it is hot.
    scores = np.empty((n_rows, n_cols), dtype=np.int32)
    picker = _Candidates(scores, slot_cost(np.zeros(n_cols, dtype=np.int64)), wait)

    def score_and_pick(lo: int, hi: int) -> tuple[int, I64]:
        return encoded.fill(scores[lo:hi], lo, hi), picker.rows(lo, hi)

    chunks = _run_chunks(score_and_pick, n_rows, n_cols, threads) if n_rows and n_cols else []
    feasible_pairs = sum(count for count, _ in chunks)
    picked = [found for _, found in chunks] + ([picker.columns()] if chunks else [])
    candidates = np.unique(np.concatenate(picked)) if picked else np.zeros(0, dtype=np.int64)
    clock.lap("score and candidates")

    score_range = units.topic_experience + units.career_stage_fit + units.specialty_wish + units.time_overlap
    slack = (score_range + units.waiting_time) // LOOKAHEAD
    rounds, certified = 0, False
    flow = _Flow(np.full(n_rows, -1, dtype=np.int64), np.zeros(n_cols, dtype=np.int64), 0)
    while n_rows and n_cols:
        rounds += 1
        rows, cols = np.divmod(candidates, n_cols)
        values = base + wait[rows] + scores[rows, cols]
        flow = _solve_sparse(rows, cols, values, slot_costs, slot_owner, n_rows, n_cols)
        clock.lap("flow")
        u, price = _duals(rows, cols, values, flow, slot_cost, slots)
        clock.lap("duals")
        row_part = u - base - wait
        near = _price_out(scores, row_part, price, threads, slack)
        near_rows, near_cols = np.divmod(near, n_cols)
        improving = near[scores[near_rows, near_cols] > row_part[near_rows] + price[near_cols]]
        clock.lap("pricing")
        if improving.size == 0:
            # Dual objective: sum of u plus, per supporter, what each slot's price exceeds its cost by.
            dual = int(u.sum()) + int(np.maximum(price[slot_owner] - slot_costs, 0).sum())
            if dual != flow.objective:
                raise SolverError(f"dual objective {dual} != primal objective {flow.objective}")
            certified = True
            break
        if rounds >= MAX_ROUNDS:
            raise SolverError(f"optimality not proved after {rounds} rounds")
        candidates = np.union1d(candidates, near)  # near includes every improving pair
    else:
        certified = True  # nothing to match: the empty assignment is trivially optimal

    pairs = []
    for i in np.flatnonzero(flow.matched_to >= 0).tolist():
        j = int(flow.matched_to[i])
        request, supporter = requests[i], columns[j]
        score = int(scores[i, j]) - load_cost_units(supporter, 0, units)
        why = reasons(request, supporter, topic_phrases=topic_phrases)
        pairs.append(Pair(request.id, supporter.id, score / SCALE, why))
    unmatched = [requests[i].id for i in np.flatnonzero(flow.matched_to < 0).tolist()]
    clock.lap("reasons")
    return Assignment(
        pairs=pairs,
        objective=flow.objective / SCALE,
        unmatched=unmatched,
        objective_units=flow.objective,
        base_units=base,
        certified=certified,
        rounds=rounds,
        candidate_pairs=int(candidates.size),
        feasible_pairs=feasible_pairs,
        seconds=clock.seconds,
    )


# --- the independent checker ---------------------------------------------------------


def assignment_value_units(
    pairs: Sequence[tuple[int, int]], requests: Sequence[Request], supporters: Sequence[Supporter], weights: Weights
) -> int:
    """The objective of (request id, supporter id) pairs, recomputed from the scalar engine."""
    units = weights.units()
    by_request = {r.id: r for r in requests}
    by_supporter = {s.id: s for s in supporters}
    columns = [s for s in supporters if _slots(s, len(requests)) > 0]
    base = base_value_units(requests, columns, units)
    taken: dict[int, int] = {}
    total = 0
    for request_id, supporter_id in pairs:
        request, supporter = by_request[request_id], by_supporter[supporter_id]
        k = taken.get(supporter_id, 0)
        taken[supporter_id] = k + 1
        total += base + wait_bonus_units(request, units) + pair_score_units(request, supporter, units)
        total -= load_cost_units(supporter, k, units)
    return total


def independent_optimum(requests: Sequence[Request], supporters: Sequence[Supporter], weights: Weights) -> int:
    """The optimum by a different route: scipy's linear_sum_assignment on the capacity-expanded matrix.

    Rows are requests; columns are one per supporter slot (valued with that slot's load cost)
    plus one "unmatched" column per request (valued 0). Infeasible cells are -inf. Scored
    with the scalar engine, not the vectorised twin. For small instances only.
    """
    from scipy.optimize import linear_sum_assignment  # heavy to import, and only this cross-check needs it

    units = weights.units()
    n_rows = len(requests)
    if n_rows == 0:
        return 0
    columns = [s for s in supporters if _slots(s, n_rows) > 0]
    base = base_value_units(requests, columns, units)
    if _largest_value(base, units) >= 2**50:
        # scipy works in float64: integers stay exact only well below 2**53, sums included.
        raise ValueError("independent_optimum: values too large to be exact in float64")
    slot_list = [(s, k) for s in columns for k in range(_slots(s, n_rows))]
    value = np.full((n_rows, len(slot_list) + n_rows), -math.inf)
    value[:, len(slot_list) :] = 0.0
    for i, request in enumerate(requests):
        bonus = base + wait_bonus_units(request, units)
        for j, (supporter, k) in enumerate(slot_list):
            if is_feasible(request, supporter):
                pair = pair_score_units(request, supporter, units)
                value[i, j] = bonus + pair - load_cost_units(supporter, k, units)
    row_ind, col_ind = linear_sum_assignment(value, maximize=True)
    total = 0
    for i, j in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
        if j < len(slot_list):
            supporter, k = slot_list[j]
            total += base + wait_bonus_units(requests[i], units) + pair_score_units(requests[i], supporter, units)
            total -= load_cost_units(supporter, k, units)
    return total


def is_valid_assignment(assignment: Assignment, requests: Sequence[Request], supporters: Sequence[Supporter]) -> bool:
    """True when no pair breaks a hard constraint, nobody is matched twice and no capacity is exceeded."""
    by_request = {r.id: r for r in requests}
    by_supporter = {s.id: s for s in supporters}
    seen: set[int] = set()
    taken: dict[int, int] = {}
    for pair in assignment.pairs:
        if pair.request_id in seen or not is_feasible(by_request[pair.request_id], by_supporter[pair.supporter_id]):
            return False
        seen.add(pair.request_id)
        taken[pair.supporter_id] = taken.get(pair.supporter_id, 0) + 1
    if any(n > by_supporter[sid].capacity_left for sid, n in taken.items()):
        return False
    return seen.isdisjoint(assignment.unmatched) and seen | set(assignment.unmatched) == set(by_request)
