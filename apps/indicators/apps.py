from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "apps.indicators"
    verbose_name = "Indicators"

    def ready(self) -> None:
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

        from . import api, exchange, results, selectors, services, surfaces

        technique_register(
            Technique(
                name="indicators",
                compute=results.results_compute,
                alerts=results.alerts_for,
                apply=results.tension_apply,
                validate_section=exchange.validate_section,
                import_section=exchange.import_section,
                update_section=exchange.update_section,
                export_section=exchange.export_section,
                nav=("Indicators", "indicators:board"),
                cites=selectors.observations_citing,
                review_board=Surface(
                    data=surfaces.board_data,
                    parts=(Part("indicators/board_at_threshold.html", place="left", order=30),),
                ),
                report=Surface(data=surfaces.report_data, parts=(Part("indicators/report.html", order=60),)),
                api=ApiSection(routes=(ApiRoute("indicators", api.IndicatorViewSet, "indicator"),)),
                dated=results.assessments_with_indicators,
            )
        )
        rule_register(
            Rule(
                technique="indicators",
                judged=None,
                results=lambda assessment, view, stored: stored,
                # The tension names the ACH leader; the other alerts come from indicators and dates alone.
                depends_on=("ach",),
                alert_visible=lambda alert, view: not alert.get("code", "").startswith("indicators_tension"),
                export=exchange.export_section,
            )
        )
        merge_mover_register("indicators", services.links_merge)
