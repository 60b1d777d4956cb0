"""Work a fresh process would otherwise do on its first requests or tasks: done once at start instead.

A cold gunicorn worker spent 0.5–1.3 s on its first matrix page (importing the URLconf and the API's
modules behind it, compiling the templates, loading the scoring kernels) while the requests queued
behind it waited; under `make load` those first pages were the whole matrix p95.

What is warmed:
- ``hooks_warm()``: every hook registered with ``warm_register``. Techniques hand theirs through the
  registry (``Technique.warm`` in apps/assessments/techniques.py): ACH's scoring kernels, compiled by numba
  into its cache on the first run (seconds) and loaded from it afterwards (about 0.3 s).
- ``process_warm()``: the URLconf and every view module it names, the reverse lookup ``{% url %}`` uses,
  the project's templates compiled into the cached loader, then ``hooks_warm()``.

Where it is called from (nowhere else):
- gunicorn's master before it forks its workers (config/gunicorn.conf.py, ``on_starting``): ``process_warm``;
- the Celery worker before its pool forks, and each pool process (config/celery.py, ``worker_init`` and
  ``worker_process_init``): ``hooks_warm``;
- ``make install`` (and by hand after a deploy without make): ``manage.py warm --hooks-only``, which fills
  numba's cache so no later process compiles; ``manage.py warm`` alone runs ``process_warm``.
"""

from collections.abc import Callable
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver

WARM_HOOKS: dict[str, Callable[[], None]] = {}


def warm_register(name: str, hook: Callable[[], None]) -> None:
    """Run `hook` whenever a process warms up (apps register theirs in AppConfig.ready)."""
    WARM_HOOKS[name] = hook


def hooks_warm() -> list[str]:
    """Run every registered hook; returns their names. Refuses before the apps are ready, when none would
    have registered yet and the warm-up would silently do nothing."""
    django_apps.check_apps_ready()
    for hook in WARM_HOOKS.values():
        hook()
    return list(WARM_HOOKS)


def project_templates() -> list[str]:
    """The names of the project's own templates (not the installed packages')."""
    apps = Path(settings.BASE_DIR) / "apps"
    directories = [Path(d) for d in engines["django"].dirs]
    directories += [Path(d) for d in get_app_template_dirs("templates") if Path(d).is_relative_to(apps)]
    return sorted({str(path.relative_to(d)) for d in directories for path in d.rglob("*.html")})


def process_warm() -> list[str]:
    """Import the URLconf (and every view module it names), fill the reverse lookup, compile the project's
    templates into the cached loader and run the registered hooks; returns the hooks' names."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf and the views behind it
    resolver.reverse_dict  # noqa: B018 - fills the reverse lookup {% url %} uses
    for name in project_templates():
        get_template(name)
    return hooks_warm()
