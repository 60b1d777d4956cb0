from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def error_response(request: HttpRequest, errors: Iterable[str], *, status: int = 400) -> HttpResponse:
    """A short error body rendered through a template, so user text in a message is always escaped."""
    html = render_to_string("components/errors.html", {"errors": list(errors)}, request=request)
    return HttpResponse(html, status=status)


def form_messages(form) -> list[str]:
    return [f"{name}: {error}" for name, errors in form.errors.items() for error in errors]
