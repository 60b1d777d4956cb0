from django.core.management.base import BaseCommand

from apps.core.warmup import hooks_warm, process_warm


class Command(BaseCommand):
    help = (
        "Warm this process as gunicorn's master does (URLconf, templates, registered hooks such as ACH's "
        "scoring kernels); with --hooks-only, run the hooks alone: what make install does to fill numba's cache."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--hooks-only", action="store_true", help="Run only the registered warm-up hooks.")

    def handle(self, *args, hooks_only: bool = False, **options) -> None:
        names = hooks_warm() if hooks_only else process_warm()
        self.stdout.write("Warmed: " + (", ".join(names) or "no hooks registered"))
