from django.utils.functional import SimpleLazyObject


def teams(request):
    """The header's team switcher; loaded only when a template shows it (fragments do not)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "current_membership": SimpleLazyObject(lambda: request.membership or None),
        "user_memberships": SimpleLazyObject(lambda: list(request.memberships)),
    }
