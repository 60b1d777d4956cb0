"""The registry of techniques: what the background rescoring runs and what the JSON format carries.

Each technique app registers a Technique in its AppConfig.ready(); the pipeline in services.py runs
them all for one content version and stores one ScoreSnapshot with every technique's results, and
exchange.py hands each technique its own section of a `sat-workbench/assessment@1` file.
Technique apps never import each other; this registry is how they meet.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Results = dict[str, Any]


@dataclass(frozen=True)
class EvidenceColumn:
    """An optional column a technique adds to evidence imports (CSV/XLSX), e.g. assumption links.

    validate(assessment, raw) returns error messages for the cell (empty when fine); apply(assessment,
    evidence, raw, user) runs in the import's transaction, after the evidence exists.
    """

    name: str
    help: str
    validate: Callable[[Any, str], list[str]]
    apply: Callable[[Any, Any, str, Any], None]


@dataclass(frozen=True)
class Technique:
    name: str
    # Loads the assessment's current state and returns JSON-ready results.
    compute: Callable[[Any], Results]
    # Compares the previous snapshot's results with the new ones; returns alerts as dicts with
    # "kind" ("alert" | "warning" | "flag"), "code" and "message".
    alerts: Callable[[Results | None, Results], list[dict]] = lambda previous, current: []
    # Side effects in the snapshot's transaction (e.g. flag an assumption); returns more alerts. Given
    # the assessment, the technique's own results, and the whole snapshot's results now and before
    # (every technique's section, keyed by name; None before the first snapshot).
    apply: Callable[[Any, Results, dict[str, Results], dict[str, Results] | None], list[dict]] = (
        lambda assessment, results, snapshot, previous: []
    )
    # JSON exchange: errors for the technique's section (each naming its place), the import itself
    # (inside the import's transaction) and the export, which adds computed results.
    validate_section: Callable[[dict, "ImportContext"], list[str]] = lambda data, context: []
    import_section: Callable[[Any, dict, "ImportContext"], None] = lambda assessment, data, context: None
    export_section: Callable[[Any], dict] = lambda assessment: {}
    # Loading a file into an existing assessment (matched by the file's "id"): bring the section's
    # items up to date by key, create the missing ones, and return one line per change (none: nothing
    # written). Items the file does not list are kept.
    update_section: Callable[[Any, dict, "ImportContext"], list[str]] = lambda assessment, data, context: []
    # Removes from an exported file, in place, what the named analyst may not see yet (anchoring).
    redact_section: Callable[[dict, str], None] = lambda data, analyst: None
    # A tab on the assessment's pages: (label, URL name taking the assessment pk); the first opens it.
    nav: tuple[str, str] | None = None
    evidence_columns: tuple[EvidenceColumn, ...] = ()
    # Ids of the assessments whose results depend on today's date (e.g. indicators' negative indications):
    # the periodic sweep rescores them once a day even when nothing was edited.
    dated: Callable[[], Any] = lambda: []
    # The technique's part of the score history page (given the snapshots, oldest first) and of one
    # snapshot's page (given its results section): HTML from render_to_string, so already escaped.
    history_section: Callable[[Any, list[Any]], str] = lambda request, snapshots: ""
    snapshot_section: Callable[[Any, Results], str] = lambda request, results: ""


@dataclass
class ImportContext:
    hypothesis_keys: set[str]
    evidence_keys: set[str]
    analysts: set[str]
    user: Any = None
    # Filled as the import writes: key -> model instance, username -> user.
    hypotheses: dict[str, Any] | None = None
    evidence: dict[str, Any] | None = None
    users: dict[str, Any] | None = None
    # Whose judgments the file carries: (username, "ratings" | "judgments" | …) -> how many. The import
    # checks them against who loads it (attribution) and the feed names them.
    attributed: Counter = field(default_factory=Counter)

    def attribute(self, username: str, what: str) -> None:
        """Record that one of the file's judgments (a rating, a validation …) is `username`'s own."""
        self.analysts.add(username)
        self.attributed[(username, what)] += 1


TECHNIQUES: dict[str, Technique] = {}


def technique_register(technique: Technique) -> None:
    TECHNIQUES[technique.name] = technique


def technique_first_tab() -> str:
    """The URL name of the first technique tab: where an assessment opens."""
    for technique in TECHNIQUES.values():
        if technique.nav:
            return technique.nav[1]
    raise LookupError("No registered technique has a tab to open an assessment on.")


def technique_tabs() -> list[tuple[str, str, str]]:
    """(technique name, label, URL name) for every technique with a tab, in registration order."""
    return [(t.name, *t.nav) for t in TECHNIQUES.values() if t.nav]


def evidence_columns() -> dict[str, EvidenceColumn]:
    return {column.name: column for t in TECHNIQUES.values() for column in t.evidence_columns}
