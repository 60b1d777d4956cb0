from django import forms

from .models import Team


class TeamForm(forms.Form):
    name = forms.CharField(max_length=Team._meta.get_field("name").max_length, label="Team name")
