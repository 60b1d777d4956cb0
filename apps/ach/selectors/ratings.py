"""One analyst's own cells: her notes, the rows she has rated in full (the anchoring rule), the cells merges
left her to settle."""

from django.db import connection

from apps.assessments.models import Assessment, Evidence, Hypothesis

from ..models import Rating, RatingConflict


def notes_for_analyst(
    *, assessment: Assessment, user_id: int, evidence_id: int | None = None
) -> dict[tuple[int, int], str]:
    ratings = Rating.objects.filter(assessment=assessment, analyst_id=user_id)
    if evidence_id is not None:
        ratings = ratings.filter(evidence_id=evidence_id)
    return {
        (evidence_id, hypothesis_id): note
        for evidence_id, hypothesis_id, note in ratings.exclude(note="").values_list(
            "evidence_id", "hypothesis_id", "note"
        )
    }


def rows_judged(assessment_id: int, user_id: int) -> tuple[dict[int, str], set[int]]:
    """The anchoring rule's test, the visibility policy's question (apps.assessments.visibility): every
    evidence row by id, and the rows this user has rated in every hypothesis, in one query (it runs on every
    page)."""
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_JUDGED_SQL, [user_id, assessment_id, assessment_id])
        rows = cursor.fetchall()
    return {pk: key for pk, key, _ in rows}, {pk for pk, _, rated in rows if rated}


# Written out: every page runs it, and the ORM's compilation of its two subqueries cost ten
# times the CPU of the query. Per row, an index probe on (analyst, evidence) of the one-rating-per-cell
# constraint; with no hypothesis, every row counts as rated.
_ROWS_JUDGED_SQL = f"""
SELECT e.id, e.key, (
    SELECT COUNT(*) FROM {Rating._meta.db_table} r WHERE r.evidence_id = e.id AND r.analyst_id = %s
) >= (SELECT COUNT(*) FROM {Hypothesis._meta.db_table} WHERE assessment_id = %s)
FROM {Evidence._meta.db_table} e WHERE e.assessment_id = %s
"""


def rows_judged_by(assessment_id: int, user_ids: list[int]) -> tuple[dict[int, str], dict[int, set[int]]]:
    """rows_judged for several users in one query (a snapshot's alerts reach every member): every evidence row
    by id, and by user the rows she has rated in every hypothesis."""
    judged: dict[int, set[int]] = {pk: set() for pk in user_ids}
    if not user_ids:
        return {}, judged
    with connection.cursor() as cursor:
        cursor.execute(
            _ROWS_JUDGED_BY_SQL.format(users=", ".join(["%s"] * len(user_ids))),
            [assessment_id, assessment_id, *user_ids, assessment_id, assessment_id],
        )
        rows = cursor.fetchall()
    items = {}
    for pk, key, analyst_id, no_hypotheses in rows:
        items[pk] = key
        if no_hypotheses:
            for rows_of in judged.values():
                rows_of.add(pk)
        elif analyst_id is not None:
            judged[analyst_id].add(pk)
    return items, judged


# rows_judged's question for a list of users: the (evidence, analyst) pairs with a rating in every hypothesis,
# from the (assessment, analyst) index; with no hypothesis, every row counts as rated by everyone.
_ROWS_JUDGED_BY_SQL = f"""
SELECT e.id, e.key, r.analyst_id, (SELECT COUNT(*) FROM {Hypothesis._meta.db_table} WHERE assessment_id = %s) = 0
FROM {Evidence._meta.db_table} e LEFT JOIN (
    SELECT evidence_id, analyst_id FROM {Rating._meta.db_table}
    WHERE assessment_id = %s AND analyst_id IN ({{users}})
    GROUP BY evidence_id, analyst_id
    HAVING COUNT(*) >= (SELECT COUNT(*) FROM {Hypothesis._meta.db_table} WHERE assessment_id = %s)
) r ON r.evidence_id = e.id
WHERE e.assessment_id = %s
"""


def rating_conflicts_for(*, assessment_id: int, user_id: int) -> list[RatingConflict]:
    """What merges left this analyst to settle: her own cells only, never a teammate's (one query when there
    are none, as on almost every page; three when there are)."""
    return list(
        RatingConflict.objects.filter(assessment_id=assessment_id, analyst_id=user_id).prefetch_related(
            "evidence", "hypothesis"
        )
    )
