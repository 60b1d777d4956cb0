"""Work a fresh process would otherwise do on its first requests: done once at start instead.

A cold gunicorn worker spent 0.5–1.3 s on its first matrix page (importing the URLconf and the API's
modules behind it, compiling the templates, loading the scoring kernels) while the requests queued
behind it waited; under `make load` those first pages were the whole matrix p95.
"""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver


def project_templates() -> list[str]:
    """The names of the project's own templates (not the installed packages')."""
    apps = Path(settings.BASE_DIR) / "apps"
    directories = [Path(d) for d in engines["django"].dirs]
    directories += [Path(d) for d in get_app_template_dirs("templates") if Path(d).is_relative_to(apps)]
    return sorted({str(path.relative_to(d)) for d in directories for path in d.rglob("*.html")})


def process_warm() -> None:
    """Import the URLconf (and every view module it names), fill the reverse lookup, compile the project's
    templates into the cached loader and load the scoring kernels."""
    from apps.ach.scoring import kernels_warm

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf and the views behind it
    resolver.reverse_dict  # noqa: B018 - fills the reverse lookup {% url %} uses
    for name in project_templates():
        get_template(name)
    kernels_warm()
