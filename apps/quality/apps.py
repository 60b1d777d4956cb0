from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "apps.quality"
    verbose_name = "Quality of Information Check"

    def ready(self) -> None:
        from apps.assessments.techniques import Part, Surface, Technique, technique_register
        from apps.assessments.visibility import Rule, rule_register

        from . import exchange, results, surfaces

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
                review_board=Surface(
                    data=surfaces.board_data, parts=(Part("quality/board_flags.html", place="left", order=30),)
                ),
                report=Surface(data=surfaces.report_data, parts=(Part("quality/report.html", order=55),)),
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
