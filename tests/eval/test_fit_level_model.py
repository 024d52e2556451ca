"""The level model's fit: it learns which evidence names the developer's level, scores each
project with weights fitted on the others only, and writes the file the product reads with the
provenance of the run."""

from __future__ import annotations

import datetime
import json

from eval.fit import level_model as fit_level_model
from logsmith.planning import fitted


def _row(project: str, expected: str, first: str, split: str = "dev") -> dict:
    """A loop whose first neighbour logs at `first`; without neighbours nothing tells levels
    apart but a lean towards info."""
    def features(level: str, with_neighbours: bool) -> dict[str, float]:
        found = {f"level:{level}": 1.0, f"key:loop:{level}": 1.0}
        if with_neighbours:
            found["first_neighbour"] = float(level == first)
        return found

    allowed = ("debug", "info", "warning")
    return {
        "project": project, "split": split, "expected": expected,
        "priors_with": "info", "priors_without": "info", "has_neighbours": True,
        "with_neighbours": {level: features(level, True) for level in allowed},
        "without_neighbours": {level: features(level, False) for level in allowed},
    }


def _rows() -> list[dict]:
    # in every project the developer follows the first neighbour, whatever its level
    return [_row(project, level, level, split)
            for project, split in (("a", "dev"), ("b", "dev"), ("c", "train"))
            for level in ("debug", "warning", "warning", "info")]


def test_the_fit_learns_to_follow_the_first_neighbour():
    weights = fit_level_model.fit(_rows(), "with_neighbours")
    assert weights["first_neighbour"] > 1.0
    assert all(fit_level_model.choose(row, "with_neighbours", weights) == row["expected"]
               for row in _rows())


def test_each_project_is_scored_with_weights_from_the_others_only():
    rows = _rows() + [_row("d", "debug", "warning", "train")] * 3  # d never follows it
    chosen = fit_level_model.leave_one_project_out(rows)
    assert chosen["with_neighbours"][:12] == [row["expected"] for row in rows[:12]]
    assert chosen["with_neighbours"][12:] == ["warning"] * 3


def test_the_fitter_writes_the_file_the_product_reads_with_the_provenance_of_the_run(
        tmp_path, monkeypatch):
    monkeypatch.setattr(fit_level_model, "CACHE", None)
    monkeypatch.setattr(fit_level_model, "evidence_rows", lambda splits: _rows())
    output = tmp_path / "level_model.json"
    assert fit_level_model.main(["--output", str(output)]) == 0
    model = fitted.level_model(output)
    assert model.with_neighbours["first_neighbour"] > 1.0
    assert "first_neighbour" not in model.without_neighbours
    provenance = json.loads(output.read_text())["provenance"]
    assert provenance["command"] == f"python -m eval.fit.level_model --output {output}"
    assert provenance["date"] == datetime.date.today().isoformat()
    assert "12 statements of 3 projects" in provenance["corpus"]
    assert provenance["score"]["all_lopo_with_neighbours"] == 1.0
    assert provenance["score"]["all_priors_with_neighbours"] == 0.25
