from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.assessments.forms import EvidenceForm
from apps.assessments.models import Evidence
from apps.core.dates import IsoDateField
from apps.core.versions import VersionedFormMixin

from .models import Assumption, CollectionRequirement, Confidence, EvidenceLink, Impact
from .services.assumptions import ASSUMPTION_FIELDS

TEXTAREA = {"rows": 2}


class AssumptionForm(forms.ModelForm):
    class Meta:
        model = Assumption
        # A new assumption starts open; its status is set on the edit form.
        fields = [name for name in ASSUMPTION_FIELDS if name != "status"]
        labels = {
            "rationale": "Rationale",
            "supports": "Hypotheses it supports",
            "could_be_untrue": "Could be untrue if…",
            "less_true_now": "True in the past, less so now?",
            "confidence": "Confidence",
            "impact": "Impact if wrong",
        }
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 2, "placeholder": "The premise the judgment rests on…"}),
            "rationale": forms.Textarea(attrs={**TEXTAREA, "placeholder": "Why we believe it…"}),
            "could_be_untrue": forms.Textarea(attrs={**TEXTAREA, "placeholder": "Under what circumstances…"}),
            "less_true_now": forms.Textarea(attrs=TEXTAREA),
            "supports": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supports"].queryset = assessment.hypotheses.order_by("order", "id")
        self.fields["supports"].label_from_instance = lambda h: h.key
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(memberships__team_id=assessment.team_id).order_by("username")
        )
        self.fields["owner"].required = True
        # The technique's central question: an assumption nobody has tried to break is not checked.
        self.fields["could_be_untrue"].required = True


class AssumptionEditForm(VersionedFormMixin, AssumptionForm):
    reason = forms.CharField(
        max_length=500, widget=forms.TextInput(attrs={"placeholder": "Why this change?"}), label="Reason for the change"
    )

    class Meta(AssumptionForm.Meta):
        fields = list(ASSUMPTION_FIELDS)


class JudgmentForm(forms.Form):
    confidence = forms.ChoiceField(choices=Confidence.choices)
    impact = forms.ChoiceField(choices=Impact.choices)
    note = forms.CharField(max_length=500, required=False)


class LinkForm(forms.Form):
    assumption = forms.ModelChoiceField(queryset=Assumption.objects.none())
    evidence = forms.ModelChoiceField(queryset=Evidence.objects.none())
    relation = forms.ChoiceField(choices=EvidenceLink.Relation.choices, initial=EvidenceLink.Relation.CHALLENGES)
    note = forms.CharField(
        max_length=500, label="Why?", widget=forms.TextInput(attrs={"placeholder": "Why it bears on it…"})
    )

    def __init__(self, *args, assessment, **kwargs):
        kwargs.setdefault("prefix", "link")
        super().__init__(*args, **kwargs)
        self.fields["assumption"].queryset = assessment.assumptions.order_by("order", "id")
        self.fields["assumption"].label_from_instance = lambda a: f"{a.key}: {a.statement[:70]}"
        self.fields["evidence"].queryset = assessment.evidence.order_by("order", "id")
        self.fields["evidence"].label_from_instance = lambda e: f"{e.key}: {e.summary[:70]}"


class ChallengeForm(EvidenceForm):
    """A new evidence item that challenges (or supports) an assumption."""

    assumption = forms.ModelChoiceField(queryset=Assumption.objects.none())
    relation = forms.ChoiceField(choices=EvidenceLink.Relation.choices, initial=EvidenceLink.Relation.CHALLENGES)
    note = forms.CharField(
        max_length=500, label="Why?", widget=forms.TextInput(attrs={"placeholder": "Why it bears on it…"})
    )

    field_order = ["assumption", "relation", "note", "summary"]

    def __init__(self, *args, assessment, **kwargs):
        kwargs.setdefault("prefix", "challenge")
        super().__init__(*args, **kwargs)
        self.fields["assumption"].queryset = assessment.assumptions.order_by("order", "id")
        self.fields["assumption"].label_from_instance = lambda a: f"{a.key}: {a.statement[:70]}"

    def evidence_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RecheckForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        label="What did the re-check find?",
        widget=forms.TextInput(attrs={"placeholder": "Still holds because… / revised because…"}),
    )


class RequirementForm(forms.Form):
    need = forms.CharField(
        max_length=CollectionRequirement._meta.get_field("need").max_length,
        label="What we would need to learn",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Collect… to establish whether…"}),
    )
    due = IsoDateField(label="By when", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean_due(self):
        due = self.cleaned_data["due"]
        if due < timezone.localdate():
            raise forms.ValidationError("The date is in the past.")
        return due


class CompleteForm(forms.Form):
    note = forms.CharField(
        max_length=1000, required=False, widget=forms.TextInput(attrs={"placeholder": "Optional note for the round"})
    )
