"""Optimistic locking for edit forms: each editable row carries a version, the form the version it showed.

A save whose version is stale is refused with the row as it is now; the form keeps the user's input and
takes the current version, so saving again is a deliberate overwrite, never a silent one.
"""

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

CONFLICT_MESSAGE = (
    "Someone else saved this after you opened it. Their version is shown below and your changes are "
    "kept in the form: check them against it and save again."
)


class VersionConflict(ValidationError):
    def __init__(self, current: models.Model):
        super().__init__(CONFLICT_MESSAGE, code="version_conflict")
        self.current = current


M = TypeVar("M", bound=models.Model)


def version_check(model: type[M], pk: int, expected: int | None) -> M:
    """Lock the row; VersionConflict when the caller edited an older version of it, or did not say which
    (a form posted without its version is answered like a stale one, never as a silent overwrite). The
    caller refreshes its own instance afterwards, so whoever holds it sees the saved values."""
    current = model._default_manager.select_for_update().get(pk=pk)
    if expected is None or current.version != expected:  # type: ignore[attr-defined]
        raise VersionConflict(current)
    return current


def changes_between(row: models.Model, fields: dict[str, Any], names: tuple[str, ...]) -> dict[str, list]:
    """{field: [before, after]} for the named fields whose value differs, JSON-ready for the feed."""
    return {
        name: [_plain(getattr(row, name)), _plain(value)]
        for name, value in fields.items()
        if name in names and getattr(row, name) != value
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class VersionedFormMixin(forms.Form):
    """A hidden `version` field holding the version of the row the form was rendered from.

    Every edit needs it, but a missing one is the service's refusal (VersionConflict, the current values
    shown), not a form error on a field the user cannot see.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields["version"].initial = instance.version


def conflict_show(form: forms.BaseForm, exc: VersionConflict) -> list[tuple[str, Any]]:
    """Put the refusal on the form, move its hidden version to the current one, and list the current values."""
    form.add_error(None, exc)
    data = form.data.copy()
    data["version"] = str(exc.current.version)  # type: ignore[attr-defined]
    form.data = data
    values = []
    for name, field in form.fields.items():
        if name == "version" or not hasattr(exc.current, name):
            continue
        display = getattr(exc.current, f"get_{name}_display", None)
        value = display() if display else getattr(exc.current, name)
        values.append((str(field.label or name.capitalize()), value))
    return values
