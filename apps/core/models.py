import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class BoundedTextField(models.TextField):
    """A TextField whose max_length is enforced by model validation too (Django's only sizes the widget and
    the form field), so every write path that validates — forms, imports, admin — meets the same limit."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(self.max_length)]


def single_line_validate(value: str) -> None:
    """One line of text: no line break, tab, NUL or other control character (a newline in a title would end
    up in an e-mail header, where Django refuses to send it)."""
    if isinstance(value, str) and any(unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError(
            "Write this on one line: remove the line breaks, tabs and other control characters.",
            code="control_characters",
        )


class SingleLineCharField(models.CharField):
    """A CharField for one-line text (titles, names, sources), whose rule model validation keeps, so every door
    that validates (forms, imports, API serializers, services) refuses control characters alike."""

    @cached_property
    def validators(self):
        return [*super().validators, single_line_validate]

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # A validation rule, not a schema change: migrations see the CharField it stores as.
        return name, "django.db.models.CharField", args, kwargs
