import contextlib
import sys

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Team
from apps.assessments.exchange import AssessmentFileError, assessment_load
from apps.core.jsonfile import json_load_strict


class Command(BaseCommand):
    help = (
        'Load a sat-workbench/assessment@1 JSON file into a team: a file whose "id" the team has updates that '
        "assessment in place; prints the assessment's id (and on stderr whether it was created, updated or unchanged)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--team", required=True, help="The team's name.")
        parser.add_argument(
            "--create-analysts", action="store_true", help="Create analysts named in ratings who do not exist."
        )
        parser.add_argument(
            "--allow-duplicate",
            action="store_true",
            help="Load a file without an id even when the team has an assessment with the same title and question.",
        )

    def handle(self, *args, file, team, create_analysts, allow_duplicate, **options):
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
            # Scripts read the id from stdout: the console e-mail backend's messages (sent as the load
            # rescores) go to stderr instead.
            with contextlib.redirect_stdout(sys.stderr):
                result = assessment_load(
                    data=data, team=team_obj, create_analysts=create_analysts, allow_duplicate=allow_duplicate
                )
        except AssessmentFileError as exc:
            raise CommandError(
                f"{file} was not imported; nothing was written:\n" + "\n".join(f"  - {e}" for e in exc.errors)
            ) from exc
        self.stderr.write(f"{result.action}: {result.assessment.title}")
        for change in result.changes:
            self.stderr.write(f"  - {change}")
        self.stdout.write(str(result.assessment.pk))
