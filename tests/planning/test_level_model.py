"""The level model: what it reads at a site (kind of site, the file's habits, the statement after
the cursor, the neighbours' levels, ranks and kinds), how its weights choose among the allowed
levels with or without neighbours, and its data file read back as written."""

from __future__ import annotations

import textwrap
from collections import Counter

from logsmith.planning import fitted
from logsmith.planning.fitted import LevelModel
from logsmith.planning.house_style import HouseStyle
from logsmith.planning.levels import (
    LevelEvidence,
    NeighbourLevel,
    chosen_level,
    level_evidence,
    level_features,
    level_for,
    place_key,
)
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import site_at
from logsmith.vocabulary import LEVELS


def site_of(source: str):
    lines = textwrap.dedent(source).split("\n")
    row = next(i for i, text in enumerate(lines) if "#HERE" in text)
    indent = lines[row].index("#HERE")
    lines[row] = " " * indent
    return site_at(ParsedDocument("\n".join(lines)), row, indent)


RERAISE = """
def load(path):
    try:
        return open(path).read()
    except OSError:
        #HERE
        raise
"""


def evidence(neighbours=(), same=Counter(), allowed=LEVELS) -> LevelEvidence:
    return LevelEvidence(
        "loop",
        same,
        Counter(same),
        Counter(),
        allowed,
        False,
        Counter(n.level for n in neighbours),
        0.0,
        tuple(neighbours),
    )


def test_the_site_its_ending_and_the_statement_after_it_are_read():
    found = level_evidence(site_of(RERAISE), HouseStyle())
    assert found.key == "except/reraise"
    assert found.next_word == "raise"
    features = level_features(found, "error")
    assert features["key:except/reraise:error"] == 1.0
    assert features["next:handler:raise:error"] == 1.0
    assert "first_neighbour" not in features  # no neighbours, no neighbour features


def test_neighbours_count_by_rank_score_and_kind_of_site():
    neighbours = (
        NeighbourLevel("debug", 30.0, "loop"),
        NeighbourLevel("info", 10.0, "other"),
        NeighbourLevel("info", 10.0, "other"),
    )
    found = evidence(neighbours)
    debug, info = level_features(found, "debug"), level_features(found, "info")
    assert debug["first_neighbour"] == 1.0 and info["first_neighbour"] == 0.0
    assert debug["neighbours_by_score"] == 0.6 and info["neighbours_by_score"] == 0.4
    assert debug["neighbours_same_key"] > info["neighbours_same_key"]  # only the loop is alike
    assert info["neighbours"] > debug["neighbours"]  # two of three neighbours use info
    assert "neighbours_same_function" not in debug  # none of them is in the same function


def test_neighbours_in_the_same_function_and_class_are_counted_apart():
    neighbours = (
        NeighbourLevel("warning", 20.0, "loop", "function"),
        NeighbourLevel("info", 15.0, "loop", "class"),
        NeighbourLevel("info", 10.0, "loop"),
        NeighbourLevel("info", 10.0, "loop"),
    )
    found = evidence(neighbours)
    warning, info = level_features(found, "warning"), level_features(found, "info")
    assert warning["neighbours_same_function"] == 1.0 and info["neighbours_same_function"] == 0.0
    assert warning["neighbours_same_class"] == 0.5 and info["neighbours_same_class"] == 0.5


def test_the_weights_of_the_group_with_neighbours_follow_the_first_neighbour():
    model = LevelModel(
        with_neighbours={"first_neighbour": 3.0, "level:info": 1.0},
        without_neighbours={"level:info": 1.0},
    )
    level, probability = chosen_level(evidence((NeighbourLevel("warning", 5.0, "loop"),)), model)
    assert level == "warning"
    assert 0.5 < probability < 1.0
    level, probability = chosen_level(evidence(), model)
    assert level == "info"  # without neighbours, the other group's weights


def test_the_model_chooses_only_among_the_allowed_levels():
    model = LevelModel({}, {"level:exception": 5.0, "level:error": 1.0})
    level, _ = chosen_level(evidence(allowed=("debug", "info", "warning", "error")), model)
    assert level == "error"


def test_the_shipped_model_follows_a_files_strong_habit():
    site = site_of(RERAISE)
    choice = level_for(site, HouseStyle(levels=Counter(info=8), except_levels=Counter(info=8),
                                        source="file"))
    assert choice.level == "info"
    assert "this file uses info 8 times in handlers" in choice.why
    assert 0.0 < choice.probability <= 1.0


def test_a_statements_place_key_matches_a_sites():
    assert place_key("other", True, "reraise") == "except/reraise"
    assert place_key("other", True, None) == "except/pass"
    assert place_key("other", True, "continue") == "except"  # no key of its own
    assert place_key("return", True, "return") == "return"
    assert place_key("nowhere", False, None) == "other"


def test_the_model_file_reads_back_as_written(tmp_path):
    model = LevelModel({"first_neighbour": 0.5, "key:loop:info": -0.25}, {"same": 1.0})
    path = tmp_path / "level_model.json"
    fitted.save_level_model(model, {"what": "a test"}, path)
    assert fitted.level_model(path) == model
