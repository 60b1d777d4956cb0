from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from apps.assessments.models import Assessment, Hypothesis, ScoreSnapshot
from apps.assessments.visibility import View, results_for

from . import validator
from .models import Indicator, IndicatorSettings, Observation, Validation


@dataclass
class Board:
    """An assessment's indicator list with everything the validator needs, loaded in five queries."""

    assessment: Assessment
    hypotheses: list[Hypothesis]
    indicators: list[Indicator]
    labels: dict[str, str]

    def inputs(self) -> list[validator.IndicatorInput]:
        keys = {h.pk: h.key for h in self.hypotheses}
        items = []
        for indicator in self.indicators:
            ratings: dict[str, dict[str, str]] = {}
            for validation in indicator.validations.all():
                ratings.setdefault(validation.analyst.username, {})[keys[validation.hypothesis_id]] = (
                    validation.likelihood
                )
            items.append(
                validator.IndicatorInput(
                    key=indicator.key,
                    threshold=indicator.threshold,
                    cadence_days=indicator.review_cadence_days,
                    reviewed_on=indicator.reviewed_on,
                    observations=[(o.date, o.status) for o in indicator.observations.all()],
                    ratings=ratings,
                )
            )
        return items

    def assess(self, today: date | None = None) -> validator.BoardAssessment:
        """The board as of ``today``, by default the assessment's as-of date (today when it has none)."""
        return validator.board_assess(self.inputs(), [h.key for h in self.hypotheses], today or self.judged_on)

    @property
    def judged_on(self) -> date:
        return self.assessment.judged_on


def board_get(*, assessment: Assessment) -> Board:
    hypotheses = list(Hypothesis.objects.filter(assessment=assessment).order_by("order", "id"))
    indicators = list(
        Indicator.objects.filter(assessment=assessment)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch("validations", queryset=Validation.objects.select_related("analyst").order_by("id")),
            Prefetch(
                "observations",
                queryset=Observation.objects.select_related("analyst", "evidence").order_by("date", "id"),
            ),
        )
    )
    return Board(
        assessment=assessment,
        hypotheses=hypotheses,
        indicators=indicators,
        labels=status_labels_get(assessment=assessment),
    )


def status_labels_get(*, assessment: Assessment) -> dict[str, str]:
    settings = IndicatorSettings.objects.filter(assessment=assessment).first()
    return settings.labels() if settings else dict(validator.DEFAULT_STATUS_LABELS)


def ach_leader(snapshot: ScoreSnapshot | None, view: View | None = None) -> str | None:
    """The ACH leader by posterior as the snapshot recorded it (read from results, not from apps.ach), as
    the view (apps.assessments.visibility) may see it when given."""
    if snapshot is None:
        return None
    results = snapshot.results if view is None else results_for(view=view, snapshot=snapshot)
    return (results.get("ach") or {}).get("leader_by_posterior")


def observations_citing(assessment: Assessment, evidence_keys: list[str]) -> list[str]:
    """The indicators' observations that cite these items, one line each (a retracted source's alert)."""
    rows = (
        Observation.objects.filter(indicator__assessment=assessment, evidence__key__in=evidence_keys)
        .order_by("indicator__key", "date", "id")
        .values_list("indicator__key", "date", "evidence__key")
    )
    return [f"{ikey}'s observation of {date:%-d %b %Y} cites {ekey}" for ikey, date, ekey in rows]
