from .selectors import memberships_for_user


def teams(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = request.membership
    return {
        "current_membership": membership if membership else None,
        "user_memberships": memberships_for_user(request.user),
    }
