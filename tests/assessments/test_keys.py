"""Stable keys: one counter per assessment and kind (apps.assessments.keys) numbers every technique's items."""

import threading

import pytest
from django.db import connection, transaction

from apps.assessments import services
from apps.assessments.keys import key_counter_raise, key_next
from apps.assessments.models import Assessment
from apps.indicators.services import indicator_delete
from tests import factories
from tests.indicators.conftest import make_indicator
from tests.integration.conftest import wait_for
from tests.key_assumptions.conftest import make_assumption


def _hypothesis(assessment, user):
    return services.hypothesis_create(assessment=assessment, user=user, statement="Another reading.")


def _evidence(assessment, user):
    return services.evidence_create(assessment=assessment, user=user, summary="A report.")


def _source(assessment, user):
    return services.source_create(assessment=assessment, user=user, name=f"Source {assessment.sources.count()}")


def _delete_assumption(assumption, user):
    assumption.delete()  # assumptions have no delete service: the site admin's page is the one way


KINDS = {
    "hypothesis": (_hypothesis, lambda h, user: services.hypothesis_delete(hypothesis=h, user=user)),
    "evidence": (_evidence, lambda e, user: services.evidence_delete(evidence=e, user=user)),
    "source": (_source, lambda s, user: services.source_delete(source=s, user=user)),
    "assumption": (make_assumption, _delete_assumption),
    "indicator": (make_indicator, lambda i, user: indicator_delete(indicator=i, user=user)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_a_deleted_key_is_never_reused(kind, assessment, analyst):
    create, delete = KINDS[kind]
    first = create(assessment, analyst)
    last = create(assessment, analyst)
    delete(last, analyst)
    after = create(assessment, analyst)
    number = int("".join(c for c in first.key if c.isdigit()))
    prefix = first.key.rstrip("0123456789")
    assert last.key == f"{prefix}{number + 1}"
    assert after.key == f"{prefix}{number + 2}"


@pytest.mark.django_db
def test_keys_an_import_brings_move_the_counter_past_the_highest(assessment):
    key_counter_raise(assessment_id=assessment.pk, prefix="A", keys=["A7", "A3", "not-a-key"])
    key_counter_raise(assessment_id=assessment.pk, prefix="A", keys=["A2"])  # never goes back
    assert key_next(assessment_id=assessment.pk, prefix="A") == "A8"


@pytest.mark.django_db
def test_each_assessment_and_kind_counts_on_its_own(assessment, team, analyst):
    other = factories.assessment_with_matrix(team=team, user=analyst)
    assert key_next(assessment_id=other.pk, prefix="IND") == "IND1"
    assert key_next(assessment_id=other.pk, prefix="IND") == "IND2"
    assert key_next(assessment_id=assessment.pk, prefix="IND") == "IND1"
    assert key_next(assessment_id=other.pk, prefix="A") == "A1"


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_get_different_keys(require_postgres, team, analyst):
    """Neither holds the assessment's lock: the counter's own row lock makes the second wait for the first."""
    assessment_id = factories.assessment_with_matrix(team=team, user=analyst).pk
    keys: dict[str, str] = {}
    first_has_its_key, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            keys["first"] = key_next(assessment_id=assessment_id, prefix="E")
            first_has_its_key.set()
            release.wait(30)
        connection.close()

    def second():
        with transaction.atomic():
            keys["second"] = key_next(assessment_id=assessment_id, prefix="E")
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_has_its_key.wait(30)
    threads[1].start()
    wait_for(lambda: _waiting_on_locks() >= 1, timeout=30)  # the second is blocked on the counter's row
    release.set()
    for thread in threads:
        thread.join(30)
    existing = Assessment.objects.get(pk=assessment_id).evidence.count()
    assert keys == {"first": f"E{existing + 1}", "second": f"E{existing + 2}"}
