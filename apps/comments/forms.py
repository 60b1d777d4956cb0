from django import forms

from .models import Thread
from .selectors import targets_for


class ThreadForm(forms.Form):
    """Where the thread points: a cell is an evidence item and a hypothesis together."""

    evidence = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    hypothesis = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    assumption = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    indicator = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["evidence"].choices = blank + [
            (e.pk, f"{e.key}: {e.summary[:60]}") for e in assessment.evidence.order_by("order", "id")
        ]
        self.fields["hypothesis"].choices = blank + [
            (h.pk, f"{h.key}: {h.statement[:60]}") for h in assessment.hypotheses.order_by("order", "id")
        ]
        for kind in (Thread.Kind.ASSUMPTION, Thread.Kind.INDICATOR):
            self.fields[kind.value].choices = blank + [
                (t.pk, f"{t.key}: {t.statement[:60]}") for t in targets_for(assessment=assessment, kind=kind)
            ]
        self.fields["hypothesis"].help_text = "With an evidence item: the cell of that row and column."

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "body": data["body"],
            "evidence_id": data["evidence"],
            "hypothesis_id": data["hypothesis"],
            "assumption_id": data["assumption"],
            "indicator_id": data["indicator"],
        }


class CommentForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 3}))
