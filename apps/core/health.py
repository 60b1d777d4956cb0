"""Reachability checks for /healthz and the integration-test gate."""

from django.conf import settings
from django.db import connection


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported as text
        return f"error: {exc.__class__.__name__}"


def broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "ok (in-process tasks)"
    from kombu import Connection

    try:
        # A fresh connection, not the producer pool: the check must see the broker as it is now.
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
