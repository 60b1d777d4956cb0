"""A save's request id travels with the Celery task it enqueued and is on the task's log records."""

import logging
import threading

import pytest
from celery.signals import task_success
from django.urls import reverse

from apps.core.requestid import RequestIdFilter

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _log_in_task(sender=None, **kwargs) -> None:
    logging.getLogger("tests.in_task").info("%s finished", sender.name)


def test_a_saves_request_id_is_on_the_log_records_of_its_rescoring_task(
    client, analyst, assessment, celery_worker_thread
):
    from apps.assessments.models import ScoreSnapshot

    records = Records()
    root = logging.getLogger()
    root.addHandler(records)
    level = root.level
    root.setLevel(logging.INFO)
    # A record logged inside the task's run (Celery's own "succeeded" line depends on how earlier tests
    # of the session left Celery's logging set up, so the test logs its own).
    task_success.connect(_log_in_task, weak=False)
    try:
        client.force_login(analyst)
        evidence, hypothesis = assessment.evidence.first(), assessment.hypotheses.last()
        response = client.post(
            reverse("ach:cell_set", args=[assessment.pk]),
            {"evidence": evidence.pk, "hypothesis": hypothesis.pk, "value": "II", "view": "mine"},
            headers={"X-Request-ID": "save-7f3a"},
        )
        assert response["X-Request-ID"] == "save-7f3a"
        version = assessment.__class__.objects.get(pk=assessment.pk).content_version
        wait_for(lambda: ScoreSnapshot.objects.filter(assessment=assessment, version=version).exists(), timeout=60)

        def task_records():
            return [
                r
                for r in records.records
                if r.name == "tests.in_task"
                and r.thread != threading.main_thread().ident
                and "rescore_assessment" in r.getMessage()
            ]

        wait_for(task_records, timeout=30)
    finally:
        task_success.disconnect(_log_in_task)
        root.removeHandler(records)
        root.setLevel(level)
    assert {r.request_id for r in task_records()} == {"save-7f3a"}
