from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "apps.quality"
    verbose_name = "Quality of Information Check"

    def ready(self) -> None:
        from apps.assessments.techniques import Technique, technique_register
        from apps.assessments.visibility import Rule, rule_register

        from . import exchange, results

        technique_register(
            Technique(
                name="quality",
                compute=results.results_compute,
                alerts=results.alerts_for,
                apply=results.effects_apply,
                validate_section=exchange.validate_section,
                import_section=exchange.import_section,
                update_section=exchange.update_section,
                export_section=exchange.export_section,
                nav=("Sources", "quality:register"),
            )
        )
        rule_register(
            Rule(
                technique="quality",
                # Grades and checklist answers are the team's, not anyone's own judgments: nothing to hide of
                # them. What the check reads of ACH's figures follows ACH's rule (depends_on).
                judged=None,
                results=lambda assessment, view, stored: stored,
                depends_on=("ach",),
                alert_visible=results.alert_visible,
                export=exchange.export_for_view,
            )
        )
