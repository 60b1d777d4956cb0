from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"

    def ready(self) -> None:
        from . import second_factor  # noqa: F401  (its user_logged_in receiver)
