from django import forms
from django.utils import timezone

from apps.core.dates import IsoDateField
from apps.core.versions import VersionedFormMixin

from . import validator
from .models import Indicator, Likelihood, Observation, Status
from .services import INDICATOR_FIELDS


class IndicatorForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)
        labels = {"review_cadence_days": "Review every (days)", "threshold": "Warning threshold"}
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 2, "placeholder": "An observable event or condition…"}),
            "collection": forms.Textarea(attrs={"rows": 2, "placeholder": "Which source would see it…"}),
        }


class ObservationForm(forms.Form):
    """A status reading: what was seen (or not), when, and on whose authority."""

    status = forms.ChoiceField(choices=Status.choices)
    # type=date inputs need ISO dates whatever the locale's display format.
    date = IsoDateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    source = forms.CharField(max_length=300, help_text="The report or collection source.")
    note = forms.CharField(
        required=False,
        max_length=Observation._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Linked evidence")

    def __init__(self, *args, evidence=(), labels=None, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        labels = labels or validator.DEFAULT_STATUS_LABELS
        self.fields["status"].choices = [(status, labels[status]) for status in validator.STATUSES]
        self.fields["evidence"].choices = [("", "—")] + [(e.pk, f"{e.key}: {e.summary[:70]}") for e in evidence]

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError("An observation records what was seen: it cannot be dated in the future.")
        return value


class ValidationForm(forms.Form):
    hypothesis = forms.IntegerField()
    likelihood = forms.ChoiceField(choices=[("", "clear"), *Likelihood.choices], required=False)


class StatusLabelsForm(forms.Form):
    """The team's own names for the five status steps."""

    def __init__(self, *args, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = labels or validator.DEFAULT_STATUS_LABELS
        for status in validator.STATUSES:
            self.fields[status] = forms.CharField(
                max_length=40,
                initial=labels[status],
                label=f"{validator.DEFAULT_STATUS_LABELS[status]} step",
            )

    def clean(self):
        cleaned = super().clean()
        names = [value.strip().casefold() for value in cleaned.values() if value]
        if len(set(names)) != len(names):
            raise forms.ValidationError("Each step needs a different name.")
        return cleaned


class ReviewForm(forms.Form):
    reviewed_on = IsoDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
