from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Team
from apps.assessments.exchange import AssessmentFileError, assessment_import
from apps.core.jsonfile import json_load_strict


class Command(BaseCommand):
    help = "Import a sat-workbench/assessment@1 JSON file into a team; prints the new assessment's id."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--team", required=True, help="The team's name.")
        parser.add_argument(
            "--create-analysts", action="store_true", help="Create analysts named in ratings who do not exist."
        )

    def handle(self, *args, file, team, create_analysts, **options):
        team_obj = Team.objects.filter(name=team).first()
        if team_obj is None:
            raise CommandError(f"No team named “{team}”.")
        try:
            with open(file, "rb") as handle:
                data = json_load_strict(handle.read())
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        except ValueError as exc:
            raise CommandError(f"{file} is not valid JSON: {exc}") from exc
        try:
            assessment = assessment_import(data=data, team=team_obj, create_analysts=create_analysts)
        except AssessmentFileError as exc:
            raise CommandError(
                f"{file} was not imported; nothing was written:\n" + "\n".join(f"  - {e}" for e in exc.errors)
            ) from exc
        self.stdout.write(str(assessment.pk))
