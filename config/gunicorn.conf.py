"""gunicorn settings for the web process of the Procfile (`gunicorn -c config/gunicorn.conf.py config.wsgi`).

HOST, PORT, WEB_CONCURRENCY (worker processes) and WEB_THREADS (threads per worker) come from the
environment; a malformed value stops start-up with a message.
"""

import os


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_positive_int('PORT', 8000)}"
workers = _positive_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1))
# Threads let a worker overlap database waits; more than one selects gunicorn's gthread worker.
threads = _positive_int("WEB_THREADS", 4)
timeout = _positive_int("WEB_TIMEOUT", 30)
graceful_timeout = 10
# Idle keep-alive connections are held open longer than an analyst's pause between clicks; with
# gunicorn's 2 s default a client reusing a connection the server has just closed gets a reset.
keepalive = _positive_int("WEB_KEEPALIVE", 30)
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
wsgi_app = "config.wsgi:application"


# The master loads the application and warms it (URLconf, templates, scoring kernels) once, before it
# forks: every worker, and every worker recycled by max_requests, serves its first request warm. Code
# changes need a restart (SIGHUP reloads workers from the preloaded code).
preload_app = True


def on_starting(server) -> None:
    """Warm the preloaded application before any worker is forked (see apps.core.warmup)."""
    from django.conf import settings
    from django.db import connections

    from apps.core.warmup import process_warm

    # Each worker would count the API's rate limits on its own: N workers would allow N times the rate.
    if server.cfg.workers > 1 and settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
        raise SystemExit(
            f"{server.cfg.workers} web workers on a local-memory cache would each keep their own API rate limits: "
            "set CACHE_URL=redis://host:6379/N (or CELERY_BROKER_URL=redis://…), or WEB_CONCURRENCY=1."
        )
    process_warm()
    connections.close_all()  # a connection opened here must not be shared by the forked workers


def child_exit(server, worker) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, a recycled worker's live gauges leave /metrics with it."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
