from django import forms

from apps.core.dates import IsoDateField
from apps.core.versions import VersionedFormMixin

from .models import Assessment, Evidence, Hypothesis
from .services.evidence import EVIDENCE_FIELDS


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["title", "question", "description", "marking", "as_of"]
        labels = {"as_of": "As of"}
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "as_of": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class HypothesisForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Hypothesis
        fields = ["statement"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2, "placeholder": "A competing explanation…"})}


class EvidenceForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Evidence
        # The fields every door exchanges (the services' list): the form, the file load, the history.
        fields = list(EVIDENCE_FIELDS)
        field_classes = {"date": IsoDateField}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "placeholder": "What was observed or reported…"}),
            # <input type=date> reads only ISO dates; the locale's 01/03/2012 shows empty and saves as none.
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "origin": forms.TextInput(attrs={"placeholder": "e.g. the same informant; blank if independent"}),
        }
