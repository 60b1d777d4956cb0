"""Dates typed by people: ISO only, and a plain word for a day that does not exist (2013-13-01)."""

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# The shape strptime's %Y-%m-%d accepts; ASCII digits only (\d would take other scripts' digits).
DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
FORMAT_MESSAGE = "Enter the date as YYYY-MM-DD."


def date_problem(text: str) -> str:
    """Why `text` is not a date: a wrong shape, or a shape whose day does not exist."""
    if DATE_SHAPE.fullmatch(text.strip()):
        return f"{text.strip()} is not a real date."
    return FORMAT_MESSAGE


def iso_date_parse(text: str) -> datetime.date:
    """The date written YYYY-MM-DD; ValueError saying what is wrong otherwise."""
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(date_problem(text)) from None


class IsoDateField(forms.DateField):
    """A date field that takes YYYY-MM-DD only: 04/05/2012 means different days to different analysts."""

    input_formats = ["%Y-%m-%d"]

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return iso_date_parse(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
