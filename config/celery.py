import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("sat_workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def _warm(**kwargs) -> None:
    """The worker runs the warm-up hooks (ACH's scoring kernels) before its pool forks, so no task waits for
    them; each pool process finds them loaded already (apps.core.warmup)."""
    from apps.core.warmup import hooks_warm

    hooks_warm()
