"""Typed environment readers that refuse malformed values (django-environ's env.bool returns False)."""

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of {', '.join(sorted(TRUE | FALSE))}.")


def redis_sibling(url: str) -> str:
    """The same Redis server as `url`, on the next database number (wrapping at 16).

    Used for the cache beside the Celery broker: a cache clear empties its whole database, which must
    never hold the broker's queues.
    """
    parsed = urlsplit(url)
    path = parsed.path.strip("/")
    if path and not path.isdigit():
        raise ImproperlyConfigured(f"{url!r}: the Redis database must be a number (redis://host:6379/N).")
    return urlunsplit(parsed._replace(path=f"/{(int(path or 0) + 1) % 16}"))


def env_networks(name: str, *, default: list[str]) -> list:
    """Comma-separated addresses or networks (10.0.0.0/8, ::1); a malformed one stops start-up."""
    import ipaddress

    raw = os.environ.get(name)
    items = default if raw is None or raw.strip() == "" else [item.strip() for item in raw.split(",") if item.strip()]
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an address or network (10.0.0.0/8, ::1).") from None
    return networks
