from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
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


SINGLE_LINE_MESSAGE = "Write this on one line: remove the line breaks, tabs and other control characters."
# One line of text: no line break, tab, NUL or other control character (Unicode category Cc); a newline in a
# title would end up in an e-mail header, where Django refuses to send it. A regex, so the API schema states
# it (drf-spectacular writes it as the field's pattern). One character or more: an empty value is never
# validated, and the schema's "blank" alternative must not match it twice.
single_line_pattern = RegexValidator(r"^[^\x00-\x1f\x7f-\x9f]+$", SINGLE_LINE_MESSAGE, code="control_characters")


def single_line_validate(value: str) -> None:
    """The one case the pattern lets through: Python's `$` also matches before a final line break."""
    if isinstance(value, str) and value.endswith("\n"):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="control_characters")


class SingleLineCharField(models.CharField):
    """A CharField for one-line text (titles, names, sources), whose rule model validation keeps, so every door
    that validates (forms, imports, API serializers, services) refuses control characters alike."""

    @cached_property
    def validators(self):
        return [*super().validators, single_line_pattern, single_line_validate]

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # A validation rule, not a schema change: migrations see the CharField it stores as.
        return name, "django.db.models.CharField", args, kwargs
