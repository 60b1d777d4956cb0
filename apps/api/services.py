import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, token_digest

TOKEN_PREFIX = "satwb_"
# Record use at most this often: a busy feed must not write a row on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_EXPIRY_DAYS = 3660


@transaction.atomic
def token_create(
    *, user: User, name: str, read_only: bool = False, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret: the secret is returned this once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after what will use it."})
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ValidationError({"expires_in": f"A token lasts from 1 to {MAX_EXPIRY_DAYS} days, or never expires."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        digest=token_digest(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        read_only=read_only,
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    if token.user_id != user.pk:
        raise ValidationError("Only the owner can revoke a token.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def token_touch(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
