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


class DuplicateMarkForm(forms.Form):
    """Mark an item a duplicate of another of its kind; no `of` clears its mark."""

    of = forms.ModelChoiceField(queryset=Evidence.objects.none(), required=False, label="Duplicate of")
    note = forms.CharField(max_length=300, required=False, label="Why (optional)")

    def __init__(self, *args, item: Evidence | Hypothesis, **kwargs):
        super().__init__(*args, **kwargs)
        others = type(item).objects.filter(assessment_id=item.assessment_id).exclude(pk=item.pk)
        self.fields["of"].queryset = others.order_by("order", "id")
        self.fields["of"].label_from_instance = lambda other: other.key
        self.fields["of"].empty_label = "— not a duplicate —"


class MergeForm(forms.Form):
    """Merge the item into `into`, with the versions of both that the merging admin saw."""

    into = forms.ModelChoiceField(queryset=Evidence.objects.none())
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    into_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, item: Evidence | Hypothesis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = type(item).objects.filter(assessment_id=item.assessment_id).exclude(pk=item.pk)
