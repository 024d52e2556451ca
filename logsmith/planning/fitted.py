"""The numbers the planners were fitted with, read once from `data/*.json`.

Each file is written by a fitter in `eval/fit/` (through the `save_*` functions here, the inverse
of the readers) and carries its provenance (corpus and splits, the command, the date, its
leave-one-project-out score); nothing here is fitted or tuned. A fitter builds the same types from
its own numbers and calls the same scoring functions with them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from logsmith.vocabulary import LEVELS

DATA = Path(__file__).resolve().with_name("data")
RANKER_FILE = DATA / "variable_ranker.json"
SECOND_OPINION_FILE = DATA / "second_opinion.json"
LEVEL_PRIORS_FILE = DATA / "level_priors.json"
LEVEL_MODEL_FILE = DATA / "level_model.json"
PROJECT_HABITS_FILE = DATA / "project_habits.json"
ROUTING_FILE = DATA / "routing.json"
LANGUAGE_LEVELS_FILE = DATA / "language_levels.json"
ROUTING_GROUPS = ("with_neighbours", "without_neighbours")
"""The sites the routing threshold is calibrated on apart: the project index found neighbours or
it did not."""


@dataclass(frozen=True)
class RankerWeights:
    """The variable ranker: a weight per candidate feature (`word:<w>` for the words of its last
    name part), the expected number of the developer's variables that are no candidate, and how
    many values a statement logs at most."""

    weights: Mapping[str, float]
    missing: float
    max_variables: int


@dataclass(frozen=True)
class SecondOpinionWeights:
    """How the ranker's probability and the model's own choice combine, and the same `missing`."""

    weights: Mapping[str, float]
    missing: float


@dataclass(frozen=True)
class LevelPriors:
    """Per kind of site, how often developers chose each level (in `vocabulary.LEVELS` order), and
    the weights of a file's habits in the same context, in the whole file and nearby."""

    site_counts: Mapping[str, tuple[int, ...]]
    same_context_weight: float
    file_weight: float
    nearby_weight: float


@dataclass(frozen=True)
class LevelModel:
    """The level model's weights per feature of `levels.level_features`: one set for sites where
    the project index found neighbours, one for sites where it found none."""

    with_neighbours: Mapping[str, float]
    without_neighbours: Mapping[str, float]


@dataclass(frozen=True)
class ProjectHabits:
    """How the project index is read: how many neighbours, the retrieval's bonuses, the weight of
    the neighbours' levels against the priors in the baseline the level model is measured against
    (`levels.likeliest_level`), how much a value the neighbours log (exactly, or an attribute of
    the same name) counts for, and how like the site a neighbour must be for its statement,
    adapted, to be offered before the template's."""

    neighbours: int
    retrieval: Mapping[str, float]
    level_weight: float
    exact_value_weight: float
    attribute_weight: float
    adapt_min_score: float
    values_from_neighbours: int
    """An adapted neighbour that logs no values gets the plan's when at least this many of the
    best `neighbours` log values."""


@dataclass(frozen=True)
class RoutingWeights:
    """The confidence in the local model's answer: a weight per feature of
    `logsmith.engines.routing.features`, and the confidences' percentiles 0 to 100 on the dev
    sites a model's answer is served at, apart for sites where the project index found neighbours
    and sites where it found none (so any share of sites to escalate maps to a threshold in
    either)."""

    weights: Mapping[str, float]
    quantiles: Mapping[str, tuple[float, ...]]
    """"with_neighbours" and "without_neighbours": 101 percentiles each."""


def read(path: Path) -> dict:
    """A fitted-numbers file; a missing or malformed one is a broken install, said plainly."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"logsmith's fitted numbers cannot be read from {path}: {exc}") from exc
    if not isinstance(data, dict) or "provenance" not in data:
        raise RuntimeError(f"{path} holds no fitted numbers with their provenance")
    return data


def ranker_weights(path: Path = RANKER_FILE) -> RankerWeights:
    data = read(path)
    weights = {
        **data["feature_weights"],
        **{f"word:{word}": value for word, value in data["name_words"].items()},
    }
    return RankerWeights(weights, float(data["missing"]), int(data["max_variables"]))


def second_opinion_weights(path: Path = SECOND_OPINION_FILE) -> SecondOpinionWeights:
    data = read(path)
    return SecondOpinionWeights(dict(data["weights"]), float(data["missing"]))


def level_priors(path: Path = LEVEL_PRIORS_FILE) -> LevelPriors:
    data = read(path)
    weights = data["habit_weights"]
    return LevelPriors(
        {key: tuple(counts) for key, counts in data["site_counts"].items()},
        float(weights["same_context"]),
        float(weights["file"]),
        float(weights["nearby"]),
    )


def level_model(path: Path = LEVEL_MODEL_FILE) -> LevelModel:
    data = read(path)
    return LevelModel(
        {name: float(w) for name, w in data["with_neighbours"].items()},
        {name: float(w) for name, w in data["without_neighbours"].items()},
    )


def level_model_numbers(model: LevelModel) -> dict[str, object]:
    """What `level_model` reads back as `model`, each group sorted by feature."""
    return {
        "with_neighbours": dict(sorted(model.with_neighbours.items())),
        "without_neighbours": dict(sorted(model.without_neighbours.items())),
    }


def save_level_model(
    model: LevelModel, provenance: Mapping[str, object], path: Path = LEVEL_MODEL_FILE
) -> None:
    write(path, provenance, level_model_numbers(model))


def project_habits(path: Path = PROJECT_HABITS_FILE) -> ProjectHabits:
    data = read(path)
    return ProjectHabits(
        int(data["neighbours"]),
        {key: float(value) for key, value in data["retrieval"].items()},
        float(data["level_weight"]),
        float(data["exact_value_weight"]),
        float(data["attribute_weight"]),
        float(data["adapt_min_score"]),
        int(data["values_from_neighbours"]),
    )


def routing_weights(path: Path = ROUTING_FILE) -> RoutingWeights:
    data = read(path)
    quantiles = {
        group: tuple(float(value) for value in values)
        for group, values in data["confidence_percentiles"].items()
    }
    if set(quantiles) != set(ROUTING_GROUPS) or any(len(v) != 101 for v in quantiles.values()):
        raise RuntimeError(f"{path} does not hold 101 confidence percentiles for {ROUTING_GROUPS}")
    return RoutingWeights(dict(data["weights"]), quantiles)


def language_levels(path: Path = LANGUAGE_LEVELS_FILE) -> dict[str, dict[str, str]]:
    """Per language family (`java`, `go`, `javascript`) and site kind: the level to start from."""
    data = read(path)
    return {
        family: {kind: entry["level"] for kind, entry in kinds.items()}
        for family, kinds in data["levels"].items()
    }


def routing_numbers(routing: RoutingWeights) -> dict[str, object]:
    """What `routing_weights` reads back as `routing`."""
    return {
        "weights": dict(routing.weights),
        "confidence_percentiles": {
            group: list(routing.quantiles[group]) for group in ROUTING_GROUPS
        },
    }


def save_routing_weights(
    routing: RoutingWeights, provenance: Mapping[str, object], path: Path = ROUTING_FILE
) -> None:
    write(path, provenance, routing_numbers(routing))


def project_habits_numbers(habits: ProjectHabits) -> dict[str, object]:
    """What `project_habits` reads back as `habits`."""
    return {
        "neighbours": habits.neighbours,
        "retrieval": dict(habits.retrieval),
        "level_weight": habits.level_weight,
        "exact_value_weight": habits.exact_value_weight,
        "attribute_weight": habits.attribute_weight,
        "adapt_min_score": habits.adapt_min_score,
        "values_from_neighbours": habits.values_from_neighbours,
    }


def save_project_habits(
    habits: ProjectHabits, provenance: Mapping[str, object], path: Path = PROJECT_HABITS_FILE
) -> None:
    write(path, provenance, project_habits_numbers(habits))


def write(path: Path, provenance: Mapping[str, object], numbers: Mapping[str, object]) -> None:
    """A fitted-numbers file: the provenance first, then the numbers."""
    text = json.dumps({"provenance": dict(provenance), **numbers}, indent=1, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def ranker_numbers(ranker: RankerWeights) -> dict[str, object]:
    """What `ranker_weights` reads back as `ranker`: the features' weights and the name words'
    apart, each sorted."""
    weights = sorted(ranker.weights.items())
    return {
        "feature_weights": {name: w for name, w in weights if not name.startswith("word:")},
        "name_words": {name[5:]: w for name, w in weights if name.startswith("word:")},
        "missing": ranker.missing,
        "max_variables": ranker.max_variables,
    }


def second_opinion_numbers(opinion: SecondOpinionWeights) -> dict[str, object]:
    """What `second_opinion_weights` reads back as `opinion`."""
    return {"weights": dict(opinion.weights), "missing": opinion.missing}


def level_priors_numbers(priors: LevelPriors) -> dict[str, object]:
    """What `level_priors` reads back as `priors` (the counts in `vocabulary.LEVELS` order)."""
    return {
        "levels": list(LEVELS),
        "site_counts": {key: list(counts) for key, counts in priors.site_counts.items()},
        "habit_weights": {
            "same_context": priors.same_context_weight,
            "file": priors.file_weight,
            "nearby": priors.nearby_weight,
        },
    }


def save_ranker_weights(
    ranker: RankerWeights, provenance: Mapping[str, object], path: Path = RANKER_FILE
) -> None:
    write(path, provenance, ranker_numbers(ranker))


def save_second_opinion_weights(
    opinion: SecondOpinionWeights,
    provenance: Mapping[str, object],
    path: Path = SECOND_OPINION_FILE,
) -> None:
    write(path, provenance, second_opinion_numbers(opinion))


def save_level_priors(
    priors: LevelPriors, provenance: Mapping[str, object], path: Path = LEVEL_PRIORS_FILE
) -> None:
    write(path, provenance, level_priors_numbers(priors))
