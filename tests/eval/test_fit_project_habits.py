"""The project-habits fitter: every number of its grid is one the data file holds, it changes one
number at a time, and what it writes reads back as the same numbers."""

from __future__ import annotations

from eval.fit import project_habits
from logsmith.planning import fitted


def test_every_grid_number_is_one_the_data_file_holds_and_changes_alone(tmp_path):
    shipped = fitted.project_habits()
    for name, values in project_habits.GRID.items():
        for value in values:
            changed = project_habits.with_value(shipped, name, value)
            assert project_habits.value_of(changed, name) == value
            others = [n for n in project_habits.GRID if n != name]
            assert all(project_habits.value_of(changed, n) == project_habits.value_of(shipped, n)
                       for n in others)
    path = tmp_path / "habits.json"
    fitted.save_project_habits(shipped, {"what": "a test"}, path)
    assert fitted.project_habits(path) == shipped

