import json

from django.core.management.base import BaseCommand, CommandError

from apps.assessments.exchange import assessment_export
from apps.assessments.models import Assessment


class Command(BaseCommand):
    help = "Print an assessment as sat-workbench/assessment@1 JSON, with its computed results."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int)

    def handle(self, *args, id, **options):
        assessment = Assessment.objects.filter(pk=id).first()
        if assessment is None:
            raise CommandError(f"No assessment with id {id}.")
        self.stdout.write(json.dumps(assessment_export(assessment=assessment), indent=2, ensure_ascii=False))
