from django import forms

from apps.assessments.models import Evidence, Source
from apps.assessments.services import SOURCE_FIELDS
from apps.core.dates import IsoDateField
from apps.core.versions import VersionedFormMixin

from .checks import CONCERNS, QUESTIONS


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = list(SOURCE_FIELDS)
        widgets = {
            "access": forms.Textarea(attrs={"rows": 2}),
            "provenance": forms.Textarea(attrs={"rows": 2}),
        }


class SourceEditForm(VersionedFormMixin, SourceForm):
    pass


class RetractForm(VersionedFormMixin, forms.Form):
    reason = forms.CharField(max_length=300, help_text="Why the source is discredited, in one line.")
    on = IsoDateField(required=False, label="Retracted on", widget=forms.DateInput(attrs={"type": "date"}))


class RestoreForm(VersionedFormMixin, forms.Form):
    pass


class ItemSourceForm(forms.Form):
    evidence = forms.ModelChoiceField(queryset=Evidence.objects.none(), label="Item")
    source = forms.ModelChoiceField(queryset=Source.objects.none(), required=False, empty_label="No source")
    information = forms.TypedChoiceField(
        choices=[("", "Not graded"), *Evidence._meta.get_field("information").choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="Information credibility",
    )

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = Evidence.objects.filter(assessment=assessment).order_by("order", "id")
        self.fields["source"].queryset = Source.objects.filter(assessment=assessment).order_by("id")


class AnswerForm(forms.Form):
    question = forms.ChoiceField(choices=[(key, title) for key, (title, _) in QUESTIONS.items()])
    concern = forms.ChoiceField(choices=list(CONCERNS.items()))
    note = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
