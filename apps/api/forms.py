from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “Reuters feed”.")
    read_only = forms.BooleanField(required=False, help_text="Can read, never write.")
