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
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
