from django.core.management.base import BaseCommand

from apps.assessments.services.digests import digests_send_due


class Command(BaseCommand):
    help = "Send every alert digest that has fallen due (beat does this every minute; `manage.py serve` too)."

    def handle(self, *args, **options):
        sent = digests_send_due()
        self.stdout.write(f"{len(sent)} digest(s) sent")
