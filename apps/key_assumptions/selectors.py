from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, QuerySet

from apps.assessments.models import Assessment

from . import spread
from .models import Assumption, CheckRound, CollectionRequirement, EvidenceLink, Judgment


@dataclass
class AssumptionRow:
    """One assumption with everything the check shows and computes about it."""

    assumption: Assumption
    spread: dict
    key_uncertainty: bool
    # Challenging links made after the assumption's last check: what the rescoring flags.
    new_challenges: list[EvidenceLink] = field(default_factory=list)
    rank: int = 0
    # Set per viewer by the page: their own judgment, and whether they may see the team's yet.
    mine: Judgment | None = None
    team_visible: bool = True

    @property
    def challenges(self) -> list[EvidenceLink]:
        return [
            link for link in self.assumption.evidence_links.all() if link.relation == EvidenceLink.Relation.CHALLENGES
        ]

    @property
    def supports(self) -> list[EvidenceLink]:
        return [
            link for link in self.assumption.evidence_links.all() if link.relation == EvidenceLink.Relation.SUPPORTS
        ]

    @property
    def needs_recheck(self) -> bool:
        return self.assumption.needs_recheck or bool(self.new_challenges)

    @property
    def requirement_eligible(self) -> bool:
        """Unsupported, challenged or flagged assumptions can become collection requirements."""
        a = self.assumption
        return a.confidence == "unsupported" or a.status == Assumption.Status.CHALLENGED or self.needs_recheck


@dataclass
class Check:
    assessment: Assessment
    rows: list[AssumptionRow]  # in check order
    rounds: list[CheckRound]

    @property
    def key_uncertainties(self) -> list[AssumptionRow]:
        """In the order of ``spread.key_uncertainties`` (unsupported first, most impact first), as the review
        board and the report list them."""
        by_key = {row.assumption.key: row for row in self.rows}
        facts = (
            spread.AssumptionFacts(
                key=row.assumption.key,
                confidence=row.assumption.confidence,
                impact=row.assumption.impact,
                status=row.assumption.status,
                order=row.assumption.order,
            )
            for row in self.rows
        )
        return [by_key[key] for key in spread.key_uncertainties(facts)]

    @property
    def disagreements(self) -> list[AssumptionRow]:
        return [row for row in self.rows if row.spread["disagreement"]]

    @property
    def flagged(self) -> list[AssumptionRow]:
        return [row for row in self.rows if row.assumption.needs_recheck]

    @property
    def requirements(self) -> list[CollectionRequirement]:
        items = [r for row in self.rows for r in row.assumption.collection_requirements.all()]
        return sorted(items, key=lambda r: (r.status != "open", r.due is None, r.due or r.created_at.date(), r.pk))

    @property
    def current_round(self) -> int:
        return (self.rounds[-1].number if self.rounds else 0) + 1


def requirement_eligible(assumption: Assumption) -> bool:
    """AssumptionRow.requirement_eligible for one assumption, without loading the whole check."""
    if assumption.confidence == "unsupported" or assumption.status == Assumption.Status.CHALLENGED:
        return True
    if assumption.needs_recheck:
        return True
    return (
        assumption.status != Assumption.Status.RETIRED
        and assumption.evidence_links.filter(
            relation=EvidenceLink.Relation.CHALLENGES, version__gt=assumption.checked_version
        ).exists()
    )


def assumptions_queryset(assessment: Assessment) -> QuerySet[Assumption]:
    return (
        Assumption.objects.filter(assessment=assessment)
        .select_related("owner", "checked_by")
        .prefetch_related(
            "supports",
            Prefetch("judgments", queryset=Judgment.objects.select_related("analyst").order_by("analyst__username")),
            Prefetch(
                "evidence_links",
                queryset=EvidenceLink.objects.select_related("evidence").order_by("evidence__order", "evidence_id"),
            ),
            Prefetch("collection_requirements", queryset=CollectionRequirement.objects.select_related("created_by")),
        )
    )


def check_get(*, assessment: Assessment, hidden: Collection[int] = ()) -> Check:
    """The whole check in six queries, whatever its size, with the spread and order computed.

    `hidden`: ids of assumptions whose judgments a viewer may not see yet (apps.assessments.visibility): the
    spread, and so the check order, are computed as if nobody had judged them.
    """
    assumptions = list(assumptions_queryset(assessment))
    rows = []
    for assumption in assumptions:
        judgments = [(j.confidence, j.impact) for j in assumption.judgments.all() if assumption.pk not in hidden]
        rows.append(
            AssumptionRow(
                assumption=assumption,
                spread=spread.team_spread(judgments),
                key_uncertainty=spread.is_key_uncertainty(
                    confidence=assumption.confidence, impact=assumption.impact, status=assumption.status
                ),
                # A retired assumption no longer bears on the judgment: new evidence against it is moot.
                new_challenges=[
                    link
                    for link in assumption.evidence_links.all()
                    if link.relation == EvidenceLink.Relation.CHALLENGES and link.version > assumption.checked_version
                ]
                if assumption.status != Assumption.Status.RETIRED
                else [],
            )
        )
    by_key = {row.assumption.key: row for row in rows}
    order = spread.check_order(
        spread.AssumptionFacts(
            key=row.assumption.key,
            confidence=row.assumption.confidence,
            impact=row.assumption.impact,
            status=row.assumption.status,
            order=row.assumption.order,
            disagreement=row.spread["disagreement"],
        )
        for row in rows
    )
    ordered = [by_key[key] for key in order]
    for rank, row in enumerate(ordered, start=1):
        row.rank = rank
    rounds = list(CheckRound.objects.filter(assessment=assessment).select_related("completed_by").order_by("number"))
    return Check(assessment=assessment, rows=ordered, rounds=rounds)


def assumptions_judged(assessment_id: int, user_id: int) -> tuple[dict[int, str], set[int]]:
    """The visibility policy's question (apps.assessments.visibility): every assumption by id, and those
    this user has judged."""
    with connection.cursor() as cursor:
        cursor.execute(_ASSUMPTIONS_JUDGED_SQL, [user_id, assessment_id])
        rows = cursor.fetchall()
    return {pk: key for pk, key, _ in rows}, {pk for pk, _, judged in rows if judged}


# Written out: every page of the assessment runs it (the visibility policy), and the ORM's compilation of
# its EXISTS cost several times the CPU of the query.
_ASSUMPTIONS_JUDGED_SQL = f"""
SELECT a.id, a.key, EXISTS(
    SELECT 1 FROM {Judgment._meta.db_table} j WHERE j.assumption_id = a.id AND j.analyst_id = %s
) FROM {Assumption._meta.db_table} a WHERE a.assessment_id = %s
"""


def assumptions_judged_by(assessment_id: int, user_ids: list[int]) -> tuple[dict[int, str], dict[int, set[int]]]:
    """assumptions_judged for several users in one query (a snapshot's alerts reach every member)."""
    judged: dict[int, set[int]] = {pk: set() for pk in user_ids}
    if not user_ids:
        return {}, judged
    with connection.cursor() as cursor:
        cursor.execute(
            _ASSUMPTIONS_JUDGED_BY_SQL.format(users=", ".join(["%s"] * len(user_ids))), [*user_ids, assessment_id]
        )
        rows = cursor.fetchall()
    items = {}
    for pk, key, analyst_id in rows:
        items[pk] = key
        if analyst_id is not None:
            judged[analyst_id].add(pk)
    return items, judged


_ASSUMPTIONS_JUDGED_BY_SQL = f"""
SELECT a.id, a.key, j.analyst_id FROM {Assumption._meta.db_table} a
LEFT JOIN {Judgment._meta.db_table} j ON j.assumption_id = a.id AND j.analyst_id IN ({{users}})
WHERE a.assessment_id = %s
"""


def assumptions_citing(assessment: Assessment, evidence_keys: list[str]) -> list[str]:
    """The assumptions these items support, one line each (a retracted source's alert names them)."""
    supported: dict[str, list[str]] = {}
    for akey, ekey in (
        EvidenceLink.objects.filter(
            assumption__assessment=assessment, relation="supports", evidence__key__in=evidence_keys
        )
        .order_by("assumption__order", "assumption_id", "evidence__order")
        .values_list("assumption__key", "evidence__key")
    ):
        supported.setdefault(akey, []).append(ekey)
    return [f"assumption {akey} drew support from {', '.join(ekeys)}" for akey, ekeys in supported.items()]
