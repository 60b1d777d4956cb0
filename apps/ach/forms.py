from typing import Any

from django import forms

from apps.assessments.grading import DEFAULT_GRADING
from apps.core.dates import IsoDateField

from . import scoring
from .scoring import RATING_LABELS


class PriorsForm(forms.Form):
    """One optional prior per hypothesis; all blank means uniform."""

    def __init__(self, *args, hypotheses, **kwargs):
        super().__init__(*args, **kwargs)
        self.hypotheses = hypotheses
        for h in hypotheses:
            self.fields[f"prior_{h.pk}"] = forms.FloatField(
                required=False, min_value=0, max_value=1, label=h.key, initial=h.prior
            )

    def priors(self) -> dict[int, float | None]:
        return {h.pk: self.cleaned_data.get(f"prior_{h.pk}") for h in self.hypotheses}


class CellForm(forms.Form):
    evidence = forms.IntegerField()
    hypothesis = forms.IntegerField()
    value = forms.ChoiceField(
        choices=[("", "clear")] + [(label, label) for label in RATING_LABELS if label], required=False
    )
    note = forms.CharField(required=False, max_length=500)


class StatedForm(forms.Form):
    """The analyst's own probability, in percent, for every hypothesis; none may be left blank."""

    def __init__(self, *args, hypotheses, **kwargs):
        super().__init__(*args, **kwargs)
        self.hypotheses = hypotheses
        for h in hypotheses:
            self.fields[f"pct_{h.key}"] = forms.FloatField(
                min_value=0,
                max_value=100,
                label=h.key,
                error_messages={
                    "required": f"{h.key}: state a probability (0 to 100).",
                    "invalid": f"{h.key}: enter a number between 0 and 100.",
                    "min_value": f"{h.key}: enter a number between 0 and 100.",
                    "max_value": f"{h.key}: enter a number between 0 and 100.",
                },
                widget=forms.NumberInput(attrs={"step": "any", "min": 0, "max": 100, "size": 5}),
            )

    def percents(self) -> dict[str, float]:
        return {h.key: self.cleaned_data[f"pct_{h.key}"] for h in self.hypotheses}


NONE_OF_THESE = "none"


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label="What proved true")
    resolved_on = IsoDateField(
        label="Outcome date",
        help_text="When it proved true: only probabilities stated on or before this date are scored.",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, hypotheses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = (
            [("", "—")]
            + [(h.key, f"{h.key}: {h.statement[:80]}") for h in hypotheses]
            + [(NONE_OF_THESE, "None of these")]
        )

    def outcome_key(self) -> str | None:
        value = self.cleaned_data["outcome"]
        return None if value == NONE_OF_THESE else value


def _factor_field(label: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        max_value=1,
        # (0, 1]: zero would make every item pure noise.
        validators=[_above_zero],
        widget=forms.NumberInput(attrs={"step": "any", "min": 0, "max": 1, "size": 5}),
    )


def _above_zero(value: float) -> None:
    if not value > 0:
        raise forms.ValidationError("Enter a factor above 0 (at most 1).")


class ReliabilityForm(forms.Form):
    """The credibility and relevance factors of r(e), and the grade factors that take the credibility
    factor's place for a graded source's items (apps.assessments.grading), each in (0, 1]."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in scoring.DEFAULT_RELIABILITY:
            for level in scoring.LEVELS:
                self.fields[f"{kind}_{level}"] = _factor_field(f"{kind.capitalize()} {level}")
        for scale, factors in DEFAULT_GRADING.items():
            for grade in factors:
                field = _factor_field(f"{scale.capitalize()} grade {grade}")
                # Left blank, a grade factor takes its default (apps.assessments.grading).
                field.required = False
                self.fields[f"grades_{scale}_{grade}"] = field

    @staticmethod
    def initial_from(reliability: dict) -> dict[str, float]:
        checked = scoring.reliability_checked(reliability)
        initial = {
            f"{kind}_{level}": checked[kind][level] for kind in scoring.DEFAULT_RELIABILITY for level in scoring.LEVELS
        }
        for scale, factors in checked["grades"].items():
            initial.update({f"grades_{scale}_{grade}": value for grade, value in factors.items()})
        return initial

    def reliability(self) -> dict[str, Any]:
        return {
            **{
                kind: {level: self.cleaned_data[f"{kind}_{level}"] for level in scoring.LEVELS}
                for kind in scoring.DEFAULT_RELIABILITY
            },
            "grades": {
                scale: {
                    grade: self.cleaned_data[f"grades_{scale}_{grade}"]
                    for grade in factors
                    if self.cleaned_data.get(f"grades_{scale}_{grade}") is not None
                }
                for scale, factors in DEFAULT_GRADING.items()
            },
        }
