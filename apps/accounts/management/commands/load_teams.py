import json

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.exchange import TeamsFileError, teams_load


class Command(BaseCommand):
    help = "Load a sat-workbench/teams@1 JSON file: create or update teams, users and roles (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, file, dry_run, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{file} is not valid JSON: {exc}") from exc
        try:
            summary = teams_load(data=data, dry_run=dry_run)
        except TeamsFileError as exc:
            raise CommandError(
                f"{file} was not loaded; nothing was written:\n" + "\n".join(f"  - {e}" for e in exc.errors)
            ) from exc
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        for line in summary.lines():
            self.stdout.write(line)
