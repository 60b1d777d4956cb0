import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve the app on HOST:PORT; with CELERY_BROKER_URL set, also run a Celery worker and beat beside it. "
        "Ctrl-C stops them all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        python = sys.executable
        commands = [[python, "manage.py", "runserver", f"{host}:{port}", "--noreload"]]
        if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
            celery = [python, "-m", "celery", "-A", "config"]
            commands.append([*celery, "worker", "--loglevel=INFO", "--concurrency=2"])
            commands.append([*celery, "beat", "--loglevel=INFO", "--schedule=/tmp/sat-workbench-beat"])
            mode = "PostgreSQL/broker mode: Celery worker and beat started"
        else:
            threading.Thread(target=self._sweep_forever, daemon=True).start()
            mode = "embedded mode: tasks run in-process; the stale-score sweep runs here"
        processes = [subprocess.Popen(command, env=os.environ.copy()) for command in commands]
        self.stdout.write(f"\nSAT Workbench at http://{host}:{port}/ ({mode}). Ctrl-C stops.\n")
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _sweep_forever(self):
        interval = settings.CELERY_BEAT_SCHEDULE["rescore-stale-assessments"]["schedule"]
        while True:
            time.sleep(interval)
            try:
                call_command("rescore_sweep", inline=True, stdout=open(os.devnull, "w"))  # noqa: SIM115 - long-lived
            except Exception as exc:  # noqa: BLE001 - keep sweeping; report and retry next round
                self.stderr.write(f"rescore sweep failed: {exc}")
