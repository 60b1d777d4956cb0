"""Django set up against a throwaway benchmark database (PostgreSQL by default)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/satworkbench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
# Production-like: templates compiled once and no debug bookkeeping.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")


def setup(*, eager: bool = True, name: str | None = None):
    if eager:
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import django

    django.setup()
    from django.conf import settings

    # Benchmark accounts need no costly password hashes (the default hasher takes ~0.4 s each here).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.db import connection

    # Named after the configured database unless a name is given, so benchmarks against different databases
    # never share one; BENCH_DATABASE_NAME overrides both.
    default = name or f"{connection.settings_dict['NAME']}_bench"
    connection.settings_dict["TEST"]["NAME"] = os.environ.get("BENCH_DATABASE_NAME", default)
    # A separate database, created afresh, so benchmarks never touch real data.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection


def teardown(connection, old_name=None):
    connection.creation.destroy_test_db(old_name or connection.settings_dict["NAME"], verbosity=0)


def build_matrix(*, hypotheses: int, evidence: int, analysts: int, seed: int = 7):
    """A team, `analysts` analysts and a fully rated matrix of the given size."""
    import random

    from apps.accounts.models import Team
    from apps.accounts.services import membership_ensure
    from apps.ach.services import ratings_bulk_create
    from apps.assessments import services

    rng = random.Random(seed)
    team = Team.objects.create(name=f"Bench {hypotheses}x{evidence}x{analysts} seed {seed}")
    users = [
        membership_ensure(team=team, username=f"bench-{team.pk}-{i}", password="bench")[0] for i in range(analysts)
    ]
    assessment = services.assessment_create(team=team, user=users[0], title="Bench", question="?")
    for i in range(hypotheses):
        services.hypothesis_create(assessment=assessment, user=users[0], statement=f"Hypothesis {i}")
    levels = ["low", "medium", "high"]
    services.evidence_add(
        assessment=assessment,
        user=users[0],
        items=[
            {
                "summary": f"Evidence item {i} " + "lorem ipsum " * 8,
                "source": "Bench",
                "citation": f"p.{i}",
                "credibility": rng.choice(levels),
                "relevance": rng.choice(levels),
            }
            for i in range(evidence)
        ],
        via="bench",
    )
    labels = ["CC", "C", "N", "N", "I", "II", "NA"]
    evidence_items, hypothesis_items = list(assessment.evidence.all()), list(assessment.hypotheses.all())
    rows = [(user, e, h, rng.choice(labels), "") for user in users for e in evidence_items for h in hypothesis_items]
    ratings_bulk_create(assessment=assessment, rows=rows)
    assessment.refresh_from_db()
    analyze()
    return assessment, users


def analyze() -> None:
    """Planner statistics, as autovacuum keeps them on a database in use: a freshly filled one has none."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
