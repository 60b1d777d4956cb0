"""Input fields that take JSON as its schema types it: DRF would turn 0 into "0" and "1" into 1 silently."""

from collections.abc import Mapping

from django.core.validators import RegexValidator
from django.db import models
from rest_framework import serializers

from apps.core.models import SingleLineCharField

# apps.core.models.single_line_validate's rule (no Unicode control character, category Cc) as a pattern, so
# that the schema states it.
ONE_LINE = RegexValidator(
    r"^[^\x00-\x1f\x7f-\x9f]*$",
    "Write this on one line: remove the line breaks, tabs and other control characters.",
    code="control_characters",
)


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Send text (a JSON string)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Send a whole number (a JSON integer)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        # A choice keeps its JSON type: a string, or an integer (never a boolean) for numbered choices.
        numbered = bool(self.choices) and all(isinstance(key, int) for key in self.choices)
        if not (isinstance(data, int) and not isinstance(data, bool) if numbered else isinstance(data, str)):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class NoUnknownFields:
    """A body's unknown fields are refused (a misspelt field would otherwise be dropped without a word)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(name)[:40] for name in set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({"non_field_errors": [f"Unknown field: {', '.join(unknown[:5])}."]})
        return super().to_internal_value(data)


class StrictModelSerializer(NoUnknownFields, serializers.ModelSerializer):
    """A ModelSerializer whose text, number and choice inputs keep their JSON types; unknown fields refused."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
    }
    serializer_choice_field = StrictChoiceField

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, SingleLineCharField):
            field_kwargs["validators"] = [*field_kwargs.get("validators", []), ONE_LINE]
        return field_class, field_kwargs
