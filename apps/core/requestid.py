"""A request id on every log record of a request, and of the Celery tasks that request enqueued.

The id comes from the load balancer's X-Request-ID header when it sends a sane one (so its logs and ours
join), or is made here; the response carries it back. Tasks carry it in a message header.
"""

import contextvars
import logging
import re
import uuid

from celery.signals import before_task_publish, task_postrun, task_prerun

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
SANE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "request_id"


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if SANE.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record (empty outside a request or a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


@before_task_publish.connect
def _request_id_send(headers=None, **kwargs) -> None:
    request_id = REQUEST_ID.get()
    if request_id and headers is not None:
        headers[HEADER] = request_id


@task_prerun.connect
def _request_id_take(task=None, **kwargs) -> None:
    # Eagerly run tasks (the embedded mode) keep the request's own id.
    given = getattr(task.request, HEADER, None) if task is not None else None
    if given and not task.request.is_eager:
        REQUEST_ID.set(given)


@task_postrun.connect
def _request_id_drop(task=None, **kwargs) -> None:
    if task is not None and not task.request.is_eager:
        REQUEST_ID.set("")
