"""Beat's send_due_digests through a real Redis broker and a real Celery worker: a due digest is sent once."""

from datetime import timedelta

import pytest
from celery.worker import state as worker_state
from django.utils import timezone

from apps.assessments import services
from apps.assessments.models import Activity, AlertDigest, Notification
from apps.assessments.services.digests import digests_hold
from apps.assessments.tasks import send_due_digests

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_worker_sends_a_due_digest_once(
    celery_worker_thread, real_celery, queue_name, assessment, analyst, supervisor
):
    alerts = [
        services.activity_record(
            assessment=assessment,
            kind=Activity.Kind.ALERT,
            message=f"Analysts' disagreement on E{row} × H1 is now extreme.",
            version=assessment.content_version,
            data={"code": f"disagreement:E{row}|H1:extreme", "notify": "digest", "technique": "ach"},
        )
        for row in (1, 2)
    ]
    digests_hold(assessment=assessment, alerts=alerts)
    AlertDigest.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    # Two rounds at once (two beats, or one round overlapping the next): the claim lets one send.
    send_due_digests.delay()
    send_due_digests.delay()
    with real_celery.connection_for_write() as conn:
        wait_for(
            lambda: (
                conn.default_channel.client.llen(queue_name) == 0
                and not worker_state.active_requests
                and not worker_state.reserved_requests
                and Notification.objects.filter(user=supervisor).exists()
            ),
            describe=lambda: "both rounds done",
        )
    (notification,) = Notification.objects.filter(user=supervisor)
    assert notification.activity.message.startswith("2 alerts in the last 15 minutes:")
    assert AlertDigest.objects.get(user=supervisor).sent_at is not None
    # alice rated neither row: a disagreement there is not hers to hear of (the anchoring rule).
    assert not Notification.objects.filter(user=analyst).exists()
