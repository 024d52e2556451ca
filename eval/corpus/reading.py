"""A corpus case read at its masked site the way `logsmith.suggest` reads it (document, site, file
facts, house style): where the fitters start from each case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eval.corpus import build as corpus
from logsmith.pipeline import facts_of, style_for
from logsmith.settings import Settings
from logsmith.planning.house_style import HouseStyle
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import LogSite, site_at
from logsmith.syntax.file_facts import FileFacts


@dataclass(frozen=True)
class CaseReading:
    case: corpus.LogCase
    path: Path
    masked: corpus.MaskedCase
    document: ParsedDocument
    site: LogSite
    facts: FileFacts
    style: HouseStyle


def read_case(case: corpus.LogCase, settings: Settings | None = None) -> CaseReading:
    """The developer's statement masked, the cursor on its blank line; `settings` defaults to the
    template engine's (no model)."""
    path, source = corpus.case_source(case)
    masked = corpus.mask(source, case)
    document = ParsedDocument(masked.source)
    site = site_at(document, masked.line, masked.character)
    facts = facts_of(document)
    style = style_for(facts, path, settings or Settings(use_model=False))
    return CaseReading(case, path, masked, document, site, facts, style)
