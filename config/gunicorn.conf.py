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


def on_starting(server) -> None:
    """Compile the scoring kernels once, before any worker starts (each then loads them from the cache)."""
    from apps.ach.scoring import kernels_warm

    kernels_warm()


def post_worker_init(worker) -> None:
    """Load the compiled scoring kernels before the worker's first request."""
    from apps.ach.scoring import kernels_warm

    kernels_warm()
