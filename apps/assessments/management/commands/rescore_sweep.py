from django.core.management.base import BaseCommand

from apps.assessments.selectors import assessments_stale
from apps.assessments.services import snapshot_compute, snapshot_sweep


class Command(BaseCommand):
    help = "Rescore every assessment whose latest score snapshot is older than its content version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--inline", action="store_true", help="Score here instead of enqueueing tasks for the workers."
        )

    def handle(self, *args, inline, **options):
        if inline:
            stale = assessments_stale()
            for assessment_id in stale:
                snapshot_compute(assessment_id=assessment_id)
        else:
            stale = snapshot_sweep()
        self.stdout.write(f"{len(stale)} assessment(s) were behind: {', '.join(map(str, stale)) or 'none'}")
