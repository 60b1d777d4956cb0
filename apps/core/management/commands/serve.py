import os
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Serve the embedded demo on HOST:PORT (Django's server, tasks in-process, the stale-score sweep and the "
        "alert digests in a thread). With a real broker, run the Procfile instead: `make run` or `honcho start`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError(
                "CELERY_BROKER_URL is set: run web, worker and beat from the Procfile "
                "(`make run`, or `honcho start -f Procfile`)."
            )
        threading.Thread(target=self._sweep_forever, daemon=True).start()
        self.stdout.write(
            f"\nSAT Workbench at http://{host}:{port}/ (embedded mode: tasks run in-process; "
            "the stale-score sweep runs here). Ctrl-C stops.\n"
        )
        call_command("runserver", f"{host}:{port}", use_reloader=False)

    def _sweep_forever(self):
        interval = settings.CELERY_BEAT_SCHEDULE["rescore-stale-assessments"]["schedule"]
        while True:
            time.sleep(interval)
            try:
                call_command("rescore_sweep", inline=True, stdout=open(os.devnull, "w"))  # noqa: SIM115 - long-lived
            except Exception as exc:  # noqa: BLE001 - keep sweeping; report and retry next round
                self.stderr.write(f"rescore sweep failed: {exc}")
            try:
                call_command("send_digests", stdout=open(os.devnull, "w"))  # noqa: SIM115 - long-lived
            except Exception as exc:  # noqa: BLE001 - the next round sends what this one could not
                self.stderr.write(f"sending alert digests failed: {exc}")
