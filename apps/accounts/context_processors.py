def teams(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = request.membership
    return {
        "current_membership": membership if membership else None,
        "user_memberships": list(request.memberships),
    }
