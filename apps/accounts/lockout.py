"""django-axes, with a successful login clearing only its own username's failures."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt


class UsernameResetHandler(AxesDatabaseHandler):
    """Locks by username and by address, as configured; a success resets that username only.

    axes resets every lockout parameter on success, the address included: an attacker's own good login
    between guesses at someone else's password would clear that account's failures from the address.
    """

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
