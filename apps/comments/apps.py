from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "apps.comments"

    def ready(self) -> None:
        from apps.assessments.techniques import merge_mover_register

        from . import services

        merge_mover_register("comments", services.threads_merge)
