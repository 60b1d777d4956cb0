from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails
    user: User | AnonymousUser
    # Set by apps.accounts.middleware (the active team membership, or None).
    membership: Any
