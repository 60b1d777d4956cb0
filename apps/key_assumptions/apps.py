from django.apps import AppConfig


class KeyAssumptionsConfig(AppConfig):
    name = "apps.key_assumptions"
    verbose_name = "Key Assumptions Check"

    def ready(self) -> None:
        from apps.assessments.techniques import (
            ApiRoute,
            ApiSection,
            EvidenceColumn,
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
                name="key_assumptions",
                compute=results.results_compute,
                alerts=results.alerts_for,
                apply=lambda assessment, computed, snapshot, previous: services.recheck_flags_apply(
                    assessment=assessment, results=computed
                ),
                validate_section=exchange.validate_section,
                import_section=exchange.import_section,
                update_section=exchange.update_section,
                export_section=exchange.export_section,
                redact_section=exchange.redact_section,
                nav=("Key assumptions", "key_assumptions:check"),
                cites=selectors.assumptions_citing,
                review_board=Surface(
                    data=surfaces.board_data,
                    parts=(Part("key_assumptions/board_uncertainties.html", place="left", order=20),),
                ),
                report=Surface(data=surfaces.report_data, parts=(Part("key_assumptions/report.html", order=50),)),
                api=ApiSection(routes=(ApiRoute("key-assumptions", api.AssumptionViewSet, "assumption"),)),
                evidence_columns=tuple(
                    EvidenceColumn(
                        name=relation,
                        help=f"keys of the key assumptions the item {relation} (e.g. “A3; A5”).",
                        validate=services.import_links_validate,
                        apply=services.import_links_apply(relation=relation),
                    )
                    for relation in ("challenges", "supports")
                ),
            )
        )
        rule_register(
            Rule(
                technique="key_assumptions",
                judged=selectors.assumptions_judged,
                judged_by=selectors.assumptions_judged_by,
                results=results.results_visible,
                # A key uncertainty comes from the assumption's agreed confidence and impact, not from
                # anyone's own judgment: every member hears of it.
                alert_visible=lambda alert, view: True,
                export=exchange.export_section,
                wording=("assumptions", "judged", "judge"),
            )
        )
        merge_mover_register("key_assumptions", services.links_merge)
