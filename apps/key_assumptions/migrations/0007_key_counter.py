"""Assumption keys come from the assessment's key counters (apps.assessments.keys) instead of the highest
key + 1, which handed a deleted assumption's key out again: the A counter starts at the highest number the
assumptions and their history (deleted ones included) carry."""

from django.db import migrations


def _number(key, prefix):
    digits = key[len(prefix) :]
    return int(digits) if key.startswith(prefix) and digits.isdigit() else 0


def counter_seed(apps, schema_editor):
    KeyCounter = apps.get_model("assessments", "KeyCounter")
    highest: dict[int, int] = {}
    for name in ("Assumption", "HistoricalAssumption"):
        for assessment_id, key in apps.get_model("key_assumptions", name).objects.values_list("assessment_id", "key"):
            highest[assessment_id] = max(highest.get(assessment_id, 0), _number(key, "A"))
    KeyCounter.objects.bulk_create(
        KeyCounter(assessment_id=assessment_id, prefix="A", last=last)
        for assessment_id, last in highest.items()
        if last
    )


class Migration(migrations.Migration):
    dependencies = [
        ("key_assumptions", "0006_historicalassumption_version"),
        ("assessments", "0021_key_counters"),
    ]

    operations = [
        migrations.RunPython(counter_seed, migrations.RunPython.noop),
    ]
