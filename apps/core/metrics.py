"""Prometheus metrics of our own, beside django-prometheus's request metrics, and who may read them.

Metrics live in the process that records them: a gunicorn worker counts its login failures, a Celery
process times its snapshots. With PROMETHEUS_MULTIPROC_DIR set (one empty folder per host, shared by the
web and worker processes of that host) /metrics adds up every process of the host; without it, it shows
the answering process only.
"""

import ipaddress
import os
import secrets

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

# Seconds from the save that made a content version to the stored snapshot of that version.
RESCORING_LATENCY = Histogram(
    "satwb_rescoring_latency_seconds",
    "Time from a save to the stored snapshot that includes it",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
)
SNAPSHOT_COMPUTE = Histogram(
    "satwb_snapshot_compute_seconds",
    "Time one technique takes to compute its part of a snapshot",
    ["technique"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LOGIN_FAILURES = Counter("satwb_login_failures", "Failed sign-ins (wrong password, locked out)")


class QueueDepthCollector:
    """Messages waiting in the Celery queue, read from the broker at scrape time."""

    def collect(self):
        depth = GaugeMetricFamily("satwb_queue_depth", "Tasks waiting in the Celery queue", labels=["queue"])
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
            import redis

            try:
                client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
                depth.add_metric([queue], client.llen(queue))
            except redis.RedisError:
                pass  # an absent sample says the broker did not answer; /healthz says why
        yield depth


def metrics_render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    queue = CollectorRegistry()
    queue.register(QueueDepthCollector())
    return body + generate_latest(queue)


def metrics_allowed(*, remote_addr: str, forwarded_for: str, authorization: str) -> bool:
    """With `Authorization: Bearer <METRICS_TOKEN>`, or from an address in METRICS_ALLOWED_NETWORKS.

    A request relayed by a proxy (X-Forwarded-For) is judged by the client the proxy saw, the last
    address it appended, as well as by the proxy's own: an outside client never borrows the proxy's
    loopback address, and one connecting directly cannot claim an inside address by sending the header.
    """
    token = settings.METRICS_TOKEN
    if token and authorization.startswith("Bearer "):
        return secrets.compare_digest(authorization.removeprefix("Bearer ").strip(), token)
    addresses = [remote_addr]
    if forwarded_for.strip():
        addresses.append(forwarded_for.split(",")[-1].strip())
    return all(_allowed(address) for address in addresses)


def _allowed(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in settings.METRICS_ALLOWED_NETWORKS)


def login_failed(**kwargs) -> None:
    LOGIN_FAILURES.inc()
