"""The template engine's message words, from the function name and the kind of site."""

from __future__ import annotations

import pytest

from logsmith.engines import template
from logsmith.pipeline import facts_of, site_at, style_for
from logsmith.plan import make_plan
from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument


def message_in(function: str, body: list[str]) -> str:
    """The template's message at the `# here` line of `function`'s body."""
    lines = ["import logging", "logger = logging.getLogger(__name__)", "", f"def {function}(path):", *body]
    source = "\n".join(lines) + "\n"
    line = next(i for i, text in enumerate(lines) if text.strip() == "# here")
    document = ParsedDocument(source)
    facts = facts_of(document)
    site = site_at(source, line, len(lines[line]) - len("# here"), document=document)
    return template.message(site, make_plan(site, facts, style_for(facts, None, Settings(use_model=False))))


EXCEPT = ["    try:", "        return open(path).read()", "    except OSError as exc:", "        # here", "        return None"]


@pytest.mark.parametrize(("function", "body", "expected"), [
    ("load_config", EXCEPT, "Failed to load config"),
    ("load_config", ["    # here", "    return open(path).read()"], "Loading config"),
    ("load_config", ["    data = open(path).read()", "    # here", "    return data"], "Loaded config"),
    # a name that does not start with a verb is named as written, never "Failed to from config"
    ("from_config", EXCEPT, "OSError in from_config"),
    ("_on_open", EXCEPT, "OSError in on_open"),
    ("is_ready", ["    data = open(path).read()", "    # here", "    return data"], "Finished is_ready"),
])
def test_message_words_follow_the_function_name_and_the_site(function, body, expected):
    assert message_in(function, body) == expected
