from django import forms

from .models import Assessment, Evidence, Hypothesis


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["title", "question", "description"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2}), "description": forms.Textarea(attrs={"rows": 3})}


class HypothesisForm(forms.ModelForm):
    class Meta:
        model = Hypothesis
        fields = ["statement"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2, "placeholder": "A competing explanation…"})}


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["summary", "source", "citation", "date", "type", "credibility", "relevance", "origin"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "placeholder": "What was observed or reported…"}),
            "date": forms.DateInput(attrs={"type": "date"}),
            "origin": forms.TextInput(attrs={"placeholder": "e.g. the same informant; blank if independent"}),
        }
