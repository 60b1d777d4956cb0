from django import forms

from .models import Role, Team


class TeamForm(forms.Form):
    name = forms.CharField(max_length=Team._meta.get_field("name").max_length, label="Team name")


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150, label="Username")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANALYST, label="Role")


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    # The membership's version the page showed: a change made meanwhile refuses the edit.
    version = forms.IntegerField(min_value=1)


class MemberRemoveForm(forms.Form):
    version = forms.IntegerField(min_value=1)
