"""Run the engine standalone: ``alongside match solve INSTANCE.json`` and ``... rank INSTANCE.json --request ID``.

Output is JSON on stdout. Invalid input (a missing file, bad JSON, a bad field, an unknown
request) prints one message on stderr and exits with status 2, as argparse does for bad usage.
A batch the solver cannot solve exactly (too large for 64-bit arithmetic) prints one message
and exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from alongside.matching.engine import rank
from alongside.matching.instance import InstanceError, load_instance
from alongside.matching.solver import SolverError, solve

CANNOT_SOLVE = 1
USAGE_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alongside match", description="Match support requests with supporters.")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="the exact optimal assignment of every request, as JSON")
    solve_cmd.add_argument("instance", help="instance file (format: docs/matching.md)")
    rank_cmd = commands.add_parser("rank", help="the best suggestions for one request, as JSON")
    rank_cmd.add_argument("instance", help="instance file (format: docs/matching.md)")
    rank_cmd.add_argument("--request", type=int, required=True, help="the request's id")
    rank_cmd.add_argument("--limit", type=int, default=3, help="how many suggestions (default 3)")
    return parser


def _run(args: argparse.Namespace) -> dict[str, Any]:
    instance = load_instance(args.instance)
    if args.command == "solve":
        result = solve(instance.requests, instance.supporters, instance.weights)
        return {
            "objective": result.objective,
            "objective_units": result.objective_units,
            "matched": len(result.pairs),
            "assignment": [
                {"request": p.request_id, "supporter": p.supporter_id, "score": p.score, "reasons": list(p.reasons)}
                for p in result.pairs
            ],
            "unmatched": result.unmatched,
        }
    request = next((r for r in instance.requests if r.id == args.request), None)
    if request is None:
        raise InstanceError(f"--request: no request with id {args.request} in {args.instance}")
    suggestions = rank(request, instance.supporters, instance.weights, limit=args.limit)
    return {
        "request": request.id,
        "suggestions": [
            {"supporter": s.supporter_id, "score": s.score, "reasons": list(s.reasons), "overlap": list(s.overlap)}
            for s in suggestions
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 on success, 2 on invalid input or usage)."""
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit_:  # argparse has printed its message
        return exit_.code if isinstance(exit_.code, int) else USAGE_ERROR
    try:
        output = _run(args)
    except InstanceError as error:
        print(f"alongside match: {error}", file=sys.stderr)
        return USAGE_ERROR
    except OSError as error:
        print(f"alongside match: cannot read {args.instance}: {error.strerror or error}", file=sys.stderr)
        return USAGE_ERROR
    except SolverError as error:  # never a traceback: say why, as for bad input
        print(f"alongside match: cannot solve: {error}", file=sys.stderr)
        return CANNOT_SOLVE
    json.dump(output, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
