from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “Reuters feed”.")
    read_only = forms.BooleanField(required=False, help_text="Can read, never write.")
    expires_in = forms.TypedChoiceField(
        label="Expires",
        choices=[("", "Never"), ("7", "In 7 days"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="After this the token is refused; create a new one then.",
    )
