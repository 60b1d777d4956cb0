from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """Team data must not linger in shared or browser caches: nothing a signed-in user sees is stored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        is_download = response.get("Content-Disposition", "").startswith("attachment")
        if is_download or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response
