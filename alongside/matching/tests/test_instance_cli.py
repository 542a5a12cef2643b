"""The JSON instance format and the standalone command line."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from alongside.matching import solver
from alongside.matching.cli import main
from alongside.matching.engine import Weights
from alongside.matching.instance import InstanceError, instance_to_dict, load_instance, parse_instance

DOCS = Path(__file__).resolve().parents[3] / "docs" / "matching.md"


def docs_example() -> dict[str, Any]:
    """The first JSON block of docs/matching.md, so that the documented example stays valid."""
    block = re.search(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    data: dict[str, Any] = json.loads(block.group(1))
    return data


def write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_the_documented_example_loads_with_its_defaults(tmp_path: Path) -> None:
    instance = load_instance(write(tmp_path, docs_example()))
    assert instance.weights == Weights(waiting_time=3)
    first, second = instance.supporters
    assert first.capacity_left == 2 and first.active_load == 0 and first.available and first.gender is None
    assert second.capacity_left == 2
    (request,) = instance.requests
    assert request.peer_kind == "senior" and request.same_specialty == "any"
    assert request.blocked_supporter_ids == frozenset() and not request.allow_own_workplace
    assert request.availability == frozenset({32, 33, 34})


def test_a_supporter_lists_several_specialties_or_the_older_single_one() -> None:
    first, second = parse_instance(docs_example()).supporters
    assert first.specialties == frozenset({"psychiatry"})
    assert second.specialties == frozenset({"surgery", "general practice"})
    old_form = mutate("supporters.0.specialties", ...)
    old_form["supporters"][0]["specialty"] = "psychiatry"
    assert parse_instance(old_form).supporters[0].specialties == frozenset({"psychiatry"})
    both = mutate("supporters.0.specialty", "surgery")
    assert parse_instance(both).supporters[0].specialties == frozenset({"psychiatry", "surgery"})
    assert parse_instance(mutate("supporters.0.specialty", None)).supporters[0].specialties == {"psychiatry"}
    assert parse_instance(mutate("supporters.0.specialties", ...)).supporters[0].specialties == frozenset()


def test_an_instance_round_trips_through_json() -> None:
    instance = parse_instance(docs_example())
    assert parse_instance(json.loads(json.dumps(instance_to_dict(instance)))) == instance


def mutate(path: str, value: Any) -> dict[str, Any]:
    """The documented example with one field set (``value=...`` deletes it)."""
    data = copy.deepcopy(docs_example())
    *parents, last = re.findall(r"\w+", path)
    target: Any = data
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is ...:
        del target[int(last) if last.isdigit() else last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


INVALID = [
    ("requests.0.languages", "en", "requests[0].languages: expected a list of strings"),
    ("requests.0.languages", [1], "requests[0].languages: expected a list of strings"),
    ("requests.0.languages", ..., "requests[0].languages: required"),
    ("requests.0.langauges", ["en"], "requests[0].langauges: unknown field"),
    ("requests.0.peer_kind", "older", "requests[0].peer_kind: expected one of similar, senior, any"),
    ("requests.0.availability", [12, 168], "requests[0].availability[1]: expected an integer from 0 to 167"),
    ("requests.0.waited_hours", -1, "requests[0].waited_hours: expected a number of at least 0"),
    ("requests.0.waited_hours", "30", "requests[0].waited_hours: expected a number of at least 0"),
    ("requests.0.allow_own_workplace", 1, "requests[0].allow_own_workplace: expected true or false"),
    ("requests.0.utc_offset_minutes", 900, "requests[0].utc_offset_minutes: expected an integer from -720 to 840"),
    ("requests.0.id", True, "requests[0].id: expected an integer"),
    ("requests.0", "hello", "requests[0]: expected an object"),
    ("supporters.1.formats", ["video", "fax"], "supporters[1].formats[1]: expected one of chat, voice, phone, video"),
    ("supporters.1.id", 1, "supporters[1].id: duplicate id 1 (also supporters[0])"),
    ("supporters.0.capacity_left", 3, "supporters[0].capacity_left: cannot exceed capacity (2)"),
    ("supporters.0.career_stage", "boss", "supporters[0].career_stage: expected one of student"),
    ("supporters.0.workplaces", [3.5], "supporters[0].workplaces[0]: expected an integer"),
    ("supporters.0.specialty", "", "supporters[0].specialty: expected a non-empty string or null"),
    ("supporters.0.specialties", "surgery", "supporters[0].specialties: expected a list of strings"),
    ("supporters.0.specialties", [""], "supporters[0].specialties: expected a list of strings"),
    ("supporters", {}, "supporters: expected a list"),
    ("weights.waiting_time", -2, "weights.waiting_time: expected a number from 0 to 1000"),
    ("weights.speed", 1, "weights.speed: unknown weight"),
    ("extra", 1, "extra: unknown field"),
]


@pytest.mark.parametrize(("path", "value", "message"), INVALID, ids=[case[2].split(":")[0] for case in INVALID])
def test_invalid_input_names_the_field(path: str, value: Any, message: str) -> None:
    with pytest.raises(InstanceError) as error:
        parse_instance(mutate(path, value))
    assert str(error.value).startswith(message)


def test_the_top_level_must_be_an_object() -> None:
    with pytest.raises(InstanceError, match=r"^instance: expected a JSON object"):
        parse_instance([])


# --- the command line ----------------------------------------------------------------


def test_solve_prints_the_assignment_and_objective(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", write(tmp_path, docs_example())]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assignment"] == [
        {
            "request": 10,
            "supporter": 2,
            "score": out["assignment"][0]["score"],
            "reasons": [
                "has supported colleagues through training, assessment and exams",
                "more senior",
                "free on Tuesday evenings",
                "speaks Vietnamese",
            ],
        }
    ]
    assert out["unmatched"] == [] and out["matched"] == 1
    assert out["objective"] == out["objective_units"] / 1000 > 0
    # Topic 3 + senior 2 + two shared hours of six (0.666) - load after: 2/3 of 1 (0.666).
    assert out["assignment"][0]["score"] == 5.0


def test_rank_prints_the_top_suggestions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = docs_example()
    data["requests"][0]["member_workplaces"] = []  # now both supporters can take it
    assert main(["rank", write(tmp_path, data), "--request", "10"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["request"] == 10
    assert [s["supporter"] for s in out["suggestions"]] == [1, 2]  # 1 is less loaded: 1/2 after, not 2/3
    assert out["suggestions"][0]["overlap"] == [32, 33]
    assert out["suggestions"][0]["score"] > out["suggestions"][1]["score"]


def test_invalid_input_exits_with_status_2_and_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["solve", write(tmp_path, mutate("requests.0.languages", "en"))]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "alongside match: requests[0].languages: expected a list of strings"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["solve", "{missing}"], "cannot read"),
        (["solve", "{bad_json}"], "instance: not valid JSON"),
        (["rank", "{example}", "--request", "99"], "--request: no request with id 99"),
        (["rank", "{example}"], "required: --request"),
        (["frobnicate"], "invalid choice"),
        ([], "required: command"),
    ],
)
def test_unusable_input_exits_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    (tmp_path / "bad.json").write_text('{"supporters": [}', encoding="utf-8")
    example = write(tmp_path, docs_example())
    names = {"missing": str(tmp_path / "nope.json"), "bad_json": str(tmp_path / "bad.json"), "example": example}
    assert main([arg.format(**names) for arg in argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_a_batch_the_solver_cannot_solve_exactly_exits_with_status_1_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real limit needs about 15,000 requests at extreme weights (tested in test_solver);
    here it is lowered so that the documented example crosses it."""
    with mock.patch.object(solver, "EXACT_LIMIT", 1000):
        assert main(["solve", write(tmp_path, docs_example())]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("alongside match: cannot solve: 1 requests x 2 supporters")
    assert len(captured.err.strip().splitlines()) == 1


def test_the_documented_example_solves_to_the_documented_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/matching.md works the example through: BASE 12,167 + wait 267 + pair 5,666 - load 666."""
    assert main(["solve", write(tmp_path, docs_example())]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["objective_units"] == 17_434 and out["objective"] == 17.434
    instance = parse_instance(docs_example())
    assert solver.base_value_units(instance.requests, instance.supporters, instance.weights.units()) == 12_167
