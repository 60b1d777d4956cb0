from django.apps import AppConfig


class AchConfig(AppConfig):
    name = "apps.ach"
    verbose_name = "Analysis of Competing Hypotheses"

    def ready(self) -> None:
        from apps.assessments.rescoring import Technique, technique_register

        from . import exchange, results

        technique_register(
            Technique(
                name="ach",
                compute=results.results_compute,
                alerts=results.alerts_for,
                import_section=exchange.import_section,
                export_section=exchange.export_section,
                redact_section=exchange.redact_section,
            )
        )
