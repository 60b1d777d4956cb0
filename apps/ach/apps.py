from django.apps import AppConfig


class AchConfig(AppConfig):
    name = "apps.ach"
    verbose_name = "Analysis of Competing Hypotheses"

    def ready(self) -> None:
        from apps.accounts.profile import profile_section_register
        from apps.assessments.techniques import (
            ApiRoute,
            ApiSection,
            Part,
            Surface,
            Technique,
            merge_mover_register,
            technique_register,
        )
        from apps.assessments.visibility import Rule, rule_register

        from . import api, exchange, results, scoring, selectors, surfaces
        from .services import merge
        from .views import sections

        technique_register(
            Technique(
                name="ach",
                compute=results.results_compute,
                alerts=results.alerts_for,
                validate_section=exchange.validate_section,
                import_section=exchange.import_section,
                update_section=exchange.update_section,
                export_section=exchange.export_section,
                redact_section=exchange.redact_section,
                nav=("ACH matrix", "ach:matrix"),
                history_section=sections.history_section,
                snapshot_section=sections.snapshot_section,
                review_board=Surface(
                    data=surfaces.board_data,
                    parts=(
                        Part("ach/board_grid.html", place="wide", order=10),
                        Part("ach/board_linchpins.html", place="left", order=10),
                        Part("ach/board_scores.html", place="right", order=10),
                    ),
                ),
                report=Surface(
                    data=surfaces.report_data,
                    parts=(
                        Part("ach/report_hypotheses.html", order=10),
                        Part("ach/report_sensitivity.html", order=20),
                        Part("ach/report_matrix.html", order=30),
                        Part("ach/report_evidence.html", order=40),
                        Part("ach/report_disagreements.html", order=70),
                    ),
                ),
                api=ApiSection(
                    routes=(ApiRoute("ratings", api.RatingViewSet, "rating"),),
                    snapshot_fields=api.snapshot_fields,
                    detail_fields=api.detail_fields,
                    snapshot=api.snapshot_represent,
                ),
                warm=scoring.kernels_warm,
            )
        )
        profile_section_register(sections.profile_section)
        merge_mover_register("ach", merge.ratings_merge)
        rule_register(
            Rule(
                technique="ach",
                judged=selectors.rows_judged,
                judged_by=selectors.rows_judged_by,
                results=results.results_visible,
                own=results.results_own,
                alert_visible=results.alert_visible,
                trigger_shown=results.trigger_shown,
                export=exchange.export_section,
                wording=("items", "rated", "rate"),
            )
        )
