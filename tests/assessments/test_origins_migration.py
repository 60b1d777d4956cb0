"""assessments 0018: each distinct origin of an assessment's evidence becomes an ungraded source its items link to.

Run in a child process on a database file of its own, migrated to 0017 and then across 0018 (and back), so the
suite's test database is never rolled back.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

def state_apps(name):
    return MigrationExecutor(connection).loader.project_state(("assessments", name)).apps

call_command("migrate", "assessments", "0017_sources", verbosity=0)
apps = state_apps("0017_sources")
Team, Assessment, Evidence = (apps.get_model(*m.split(".")) for m in
                              ("accounts.Team", "assessments.Assessment", "assessments.Evidence"))
team = Team.objects.create(name="Maghreb Desk")
first = Assessment.objects.create(team=team, title="One", question="Which?")
second = Assessment.objects.create(team=team, title="Two", question="Which?")
for order, (assessment, origin) in enumerate([
    (first, "Agent  X"), (first, ""), (first, "agent x "), (first, "Wire"), (first, "   "),
    (second, "AGENT X"),
]):
    Evidence.objects.create(assessment=assessment, key=f"E{order + 1}", summary="Item", order=order, origin=origin)

call_command("migrate", "assessments", "0018_origins_to_sources", verbosity=0)
apps = state_apps("0018_origins_to_sources")
Source, Evidence, Assessment = (apps.get_model("assessments", m) for m in ("Source", "Evidence", "Assessment"))
found = {
    "sources": [[s.assessment.title, s.key, s.name, s.grade] for s in Source.objects.order_by("assessment_id", "key")],
    "items": [[e.key, e.origin, e.source_entry.key if e.source_entry_id else None]
              for e in Evidence.objects.order_by("order")],
    "counters": [a.source_counter for a in Assessment.objects.order_by("id")],
}
call_command("migrate", "assessments", "0017_sources", verbosity=0)
apps = state_apps("0017_sources")
found["after_reverse"] = [apps.get_model("assessments", "Evidence").objects.exclude(source_entry=None).count(),
                          apps.get_model("assessments", "Source").objects.count()]
print(json.dumps(found))
"""


def test_each_distinct_origin_becomes_one_ungraded_source_per_assessment_and_reversing_removes_them(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'migrations.sqlite3'}",
    }
    env.pop("CELERY_BROKER_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # Origins compare case-insensitively with spacing collapsed; the first spelling names the source; every
    # assessment numbers its own sources; blank origins make none.
    assert found["sources"] == [["One", "S1", "Agent X", ""], ["One", "S2", "Wire", ""], ["Two", "S1", "AGENT X", ""]]
    assert found["items"] == [
        ["E1", "Agent X", "S1"],
        ["E2", "", None],
        ["E3", "Agent X", "S1"],
        ["E4", "Wire", "S2"],
        ["E5", "   ", None],
        ["E6", "AGENT X", "S1"],
    ]
    assert found["counters"] == [2, 1]
    assert found["after_reverse"] == [0, 0]
