"""The registry of techniques: the only way a technique reaches the assessment's shared surfaces.

Each technique app registers a Technique in its AppConfig.ready(). What reads it:
- the rescoring pipeline (services/rescoring.py) runs every `compute` for one content version and stores
  one ScoreSnapshot with every technique's results, keyed by name;
- the JSON format (exchange.py) hands each technique its own section of a `sat-workbench/assessment@1` file
  (`validate_section`, `import_section`, `update_section`, `export_section`, `redact_section`);
- the assessment's pages draw its tab (`nav`) and its part of the score history (`history_section`,
  `snapshot_section`);
- the review board and the report (and its PDF, the same template) draw its `review_board` and `report`
  surfaces; the REST API mounts its `api` routes and puts its snapshot fields on /snapshots/.

apps/reviews and apps/api iterate TECHNIQUES and never import a technique app (a test reads their imports).
Technique apps never import each other either; this registry is how they meet.

Registering the surfaces (all optional; a technique without one is simply absent there):

    Technique(
        name="quality",
        ...,
        review_board=Surface(
            data=board.board_data,          # SectionContext -> dict; "changed": how many items changed since
            parts=(Part("quality/board_sources.html", place="left", order=40),),
        ),
        report=Surface(data=report.report_data, parts=(Part("quality/report.html", order=55),)),
        api=ApiSection(
            routes=(ApiRoute("sources", api.SourceViewSet, "source"),),  # /api/v1/assessments/{pk}/sources/
        ),
    )

A part's template is included with the surface's context plus `section` (the dict `data` returned) and
`assessment`. Places: the review board has "wide" (full width, above the columns), "left" and "right"; the
report has one column ("body"). Parts are ordered by `order` across techniques (ACH's report parts take
10–40 and 70, key assumptions 50, indicators 60). `data` receives a SectionContext: the viewer's View
(apps.assessments.visibility) and the technique's results as that view may see them, never the raw
teammates' judgments; a technique that reads its own judgments hides what `context.view.hidden[name]`
names.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apps.core.warmup import warm_register

Results = dict[str, Any]


@dataclass(frozen=True)
class SectionContext:
    """What a surface hands a technique's `data`: who is looking, and what they may see."""

    assessment: Any
    # apps.assessments.visibility.View: the viewer's view (anchoring); sees_all for supervisors.
    view: Any
    user: Any
    # The latest ScoreSnapshot (None before the first) and this technique's results as the view sees them.
    snapshot: Any
    results: Results
    # The review board: the supervisor's last visit; items changed after it are flagged ("changed").
    since: datetime | None = None


@dataclass(frozen=True)
class Part:
    """One template of a surface, at a place, ordered by `order` among every technique's parts there."""

    template: str
    place: str = "body"
    order: int = 100


@dataclass(frozen=True)
class Surface:
    """A technique's part of a shared page (the review board, the report): its data, computed once per
    request from the SectionContext, and the templates that show it."""

    data: Callable[[SectionContext], dict]
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class ApiRoute:
    """An endpoint set under /api/v1/assessments/{assessment_pk}/<prefix>/: a DRF viewset built on
    apps.assessments.api.AssessmentScoped (fetch and authorise first; the freeze; the marking header)."""

    prefix: str
    viewset: Any
    basename: str


@dataclass(frozen=True)
class ApiSection:
    """The technique in the REST API.

    routes: its endpoints. Snapshots: a technique with `snapshot_fields` puts its figures at the top level of
    every snapshot (the list's summaries and the full snapshot) and `detail_fields` on the full one only,
    from `snapshot(results, view, full)` (results as the view may see them); the serializers and the schema
    take their fields from these (factories of DRF fields, so each serializer gets its own). A technique
    without them appears in the full snapshot's `techniques` object, by name, with its results as they are.
    """

    routes: tuple[ApiRoute, ...] = ()
    snapshot_fields: Callable[[], dict[str, Any]] | None = None
    detail_fields: Callable[[], dict[str, Any]] | None = None
    snapshot: Callable[[Results, Any, bool], dict] = lambda results, view, full: {}


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
    # What of the technique rests on these evidence items (their keys), one line each ("assumption A2 drew
    # support from E5"): a source's retraction alerts name them (apps/quality).
    cites: Callable[[Any, list[str]], list[str]] = lambda assessment, evidence_keys: []
    # The shared surfaces (see the module's docstring).
    review_board: Surface | None = None
    report: Surface | None = None
    api: ApiSection | None = None
    # Loads, or compiles, what `compute` needs at its first call (ACH: its numba kernels), so no request or
    # task pays for it: handed to apps.core.warmup, which runs it when a process starts.
    warm: Callable[[], None] | None = None


@dataclass
class ImportContext:
    hypothesis_keys: set[str]
    evidence_keys: set[str]
    analysts: set[str]
    user: Any = None
    # Filled as the import writes: key -> model instance, username -> user.
    hypotheses: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    # Whose judgments the file carries: (username, "ratings" | "judgments" | …) -> how many. The import
    # checks them against who loads it (attribution) and the feed names them.
    attributed: Counter = field(default_factory=Counter)

    def attribute(self, username: str, what: str) -> None:
        """Record that one of the file's judgments (a rating, a validation …) is `username`'s own."""
        self.analysts.add(username)
        self.attributed[(username, what)] += 1


@dataclass(frozen=True)
class Merge:
    """Two items of one kind ("evidence" or "hypothesis") being merged: the duplicate's rows move to the kept
    item, then the duplicate is deleted (services/merge.py)."""

    assessment: Any
    kind: str
    kept: Any
    duplicate: Any
    user: Any


# What follows an item through a merge: every app with rows pointing at evidence or hypotheses (ACH's ratings,
# the assumptions' links, the indicators', comment threads) registers a mover in its AppConfig.ready(). A mover
# runs inside the merge's transaction, before the duplicate is deleted, and returns {what moved: how many} for
# the feed, which every member reads: so never a count of teammates' judgments (the anchoring rule).
MERGE_MOVERS: dict[str, Callable[[Merge], dict[str, int]]] = {}


def merge_mover_register(name: str, mover: Callable[[Merge], dict[str, int]]) -> None:
    MERGE_MOVERS[name] = mover


TECHNIQUES: dict[str, Technique] = {}


def technique_register(technique: Technique) -> None:
    TECHNIQUES[technique.name] = technique
    if technique.warm is not None:
        warm_register(technique.name, technique.warm)


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


def surface_parts(surface: str, context_of: Callable[[str], SectionContext]) -> dict[str, list[dict]]:
    """Every technique's parts of a surface ("review_board" or "report") by place, in order: each as
    {"technique", "template", "section"}, the data computed once per technique from its context."""
    parts: list[tuple[int, int, str, dict]] = []
    for index, technique in enumerate(TECHNIQUES.values()):
        registered: Surface | None = getattr(technique, surface)
        if registered is None:
            continue
        data = registered.data(context_of(technique.name))
        for part in registered.parts:
            parts.append(
                (
                    part.order,
                    index,
                    part.place,
                    {"technique": technique.name, "template": part.template, "section": data},
                )
            )
    by_place: dict[str, list[dict]] = {}
    for _, _, place, drawn in sorted(parts, key=lambda p: (p[0], p[1])):
        by_place.setdefault(place, []).append(drawn)
    return by_place
