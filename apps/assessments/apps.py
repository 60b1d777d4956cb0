from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "apps.assessments"

    def ready(self) -> None:
        # Registers the tasks with Celery in every process, so services can enqueue them by name.
        from . import tasks  # noqa: F401
