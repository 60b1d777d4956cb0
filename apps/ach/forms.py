from django import forms

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
