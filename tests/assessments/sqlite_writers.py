"""Run by test_sqlite_writers in its own process: the embedded (file) SQLite database the settings build when
DATABASE_URL names one, migrated, then 20 analysts each rating a cell at the same moment over HTTP.

Prints {"statuses": [...], "ratings": n} as JSON. A separate process, because the test run's own SQLite
database is a shared in-memory one, whose locking is not the file database's.
"""

import json
import os
import threading

import django
import django.apps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from apps.ach.models import Rating  # noqa: E402
from tests import factories  # noqa: E402

WRITERS = 20

# The tables straight from the models, as the test run builds its own (replaying every migration takes a minute).
settings.MIGRATION_MODULES = {config.label: None for config in django.apps.apps.get_app_configs()}
call_command("migrate", run_syncdb=True, verbosity=0)
team = factories.TeamFactory(name="Parallel Desk")
analysts = [factories.member(team, "analyst", username=f"writer{n}") for n in range(WRITERS)]
assessment = factories.assessment_with_matrix(team=team, user=analysts[0])
evidence = list(assessment.evidence.values_list("pk", flat=True))
hypotheses = list(assessment.hypotheses.values_list("pk", flat=True))
url = reverse("ach:cell_set", args=[assessment.pk])
connection.close()

statuses: list[int] = []
start = threading.Barrier(WRITERS)


def write(n: int) -> None:
    client = Client(raise_request_exception=False, HTTP_HX_REQUEST="true")
    client.force_login(analysts[n])
    start.wait()
    response = client.post(
        url, {"evidence": evidence[n % len(evidence)], "hypothesis": hypotheses[n % len(hypotheses)], "value": "C"}
    )
    statuses.append(response.status_code)
    connection.close()


threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"statuses": statuses, "ratings": Rating.objects.filter(assessment=assessment).count()}))
