"""Each distinct origin of an assessment's evidence becomes an ungraded source its items link to."""

from django.db import migrations


def _key(origin: str) -> str:
    # The origin rule of the day this ran (apps.assessments.origins.origin_key): frozen here on purpose.
    return " ".join((origin or "").split()).casefold()


def origins_to_sources(apps, schema_editor):
    Evidence = apps.get_model("assessments", "Evidence")
    Source = apps.get_model("assessments", "Source")
    Assessment = apps.get_model("assessments", "Assessment")
    sources: dict[tuple[int, str], object] = {}
    counters: dict[int, int] = {}
    for evidence in Evidence.objects.exclude(origin="").order_by("assessment_id", "order", "id"):
        key = _key(evidence.origin)
        if not key:
            continue
        source = sources.get((evidence.assessment_id, key))
        if source is None:
            counters[evidence.assessment_id] = counters.get(evidence.assessment_id, 0) + 1
            source = Source.objects.create(
                assessment_id=evidence.assessment_id,
                key=f"S{counters[evidence.assessment_id]}",
                name=" ".join(evidence.origin.split()),
                kind="other",
            )
            sources[evidence.assessment_id, key] = source
        evidence.source_entry = source
        evidence.origin = source.name
        evidence.save(update_fields=["source_entry", "origin"])
    for assessment_id, counter in counters.items():
        Assessment.objects.filter(pk=assessment_id).update(source_counter=counter)


def sources_to_origins(apps, schema_editor):
    Evidence = apps.get_model("assessments", "Evidence")
    Evidence.objects.update(source_entry=None)
    apps.get_model("assessments", "Source").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0017_sources")]

    operations = [migrations.RunPython(origins_to_sources, sources_to_origins)]
