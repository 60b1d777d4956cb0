"""The htmx conventions every view shares: region responses and service errors shown in a form."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string


def region_response(
    request: HttpRequest, template: str, region: str, context: dict, *, oob: tuple[str, ...] = (), extra: str = ""
) -> HttpResponse:
    """The named partial `region` of `template`, retargeted at `#region`, plus out-of-band partials.

    Forms target themselves (so validation errors land in place); a success replaces the region.
    """
    html = render_to_string(f"{template}#{region}", context, request=request)
    for name in oob:
        html += render_to_string(f"{template}#{name}", {**context, "oob": True}, request=request)
    return HttpResponse(html + extra, headers={"HX-Retarget": f"#{region}", "HX-Reswap": "outerHTML"})


def form_error_add(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError on the form: under its field when the form has one, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_response(request: HttpRequest, messages: list[str], *, status: int = 400) -> HttpResponse:
    """A refusal for an htmx control with no form of its own (a matrix cell): the messages, escaped."""
    return render(request, "components/errors.txt", {"messages": messages}, status=status)


def control_submit(
    request: HttpRequest, form: forms.BaseForm, service: Callable[[dict[str, Any]], object]
) -> HttpResponse | None:
    """Validate a form-less control's POST and run the service on it: None on success, else the refusal."""
    if not form.is_valid():
        return error_response(request, form_errors(form))
    try:
        service(form.cleaned_data)
    except ValidationError as exc:
        return error_response(request, exc.messages)
    return None


def form_submit(form: forms.BaseForm, service: Callable[[dict[str, Any]], object]) -> bool:
    """Validate the form and run the service on it; the service's errors land on the form. True on success."""
    if not form.is_valid():
        return False
    try:
        service(form.cleaned_data)
    except ValidationError as exc:
        form_error_add(form, exc)
        return False
    return True


def form_errors(form: forms.BaseForm) -> list[str]:
    return [
        f"{field}: {error}" if field != "__all__" else str(error)
        for field, errors in form.errors.items()
        for error in errors
    ]


def version_token(*parts: object) -> str:
    """The polling contract: a live panel sends back the token it shows; the view answers 204 when equal."""
    return "-".join(str(part) for part in parts)


def unchanged(request: HttpRequest, token: str) -> bool:
    return request.GET.get("shown", "") == token
