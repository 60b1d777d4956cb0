from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from . import metrics, requestid  # noqa: F401 - requestid connects the Celery signals it needs

        user_login_failed.connect(metrics.login_failed, dispatch_uid="satwb-login-failures")
