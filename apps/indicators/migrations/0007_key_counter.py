"""Indicator keys come from the assessment's key counters (apps.assessments.keys): the IND counter starts at
the highest number ever handed out (the old counter, and every key the indicators and their history carry)."""

from django.db import migrations


def _number(key, prefix):
    digits = key[len(prefix) :]
    return int(digits) if key.startswith(prefix) and digits.isdigit() else 0


def counter_seed(apps, schema_editor):
    KeyCounter = apps.get_model("assessments", "KeyCounter")
    highest = dict(
        apps.get_model("indicators", "IndicatorSettings").objects.values_list("assessment_id", "key_counter")
    )
    for name in ("Indicator", "HistoricalIndicator"):
        for assessment_id, key in apps.get_model("indicators", name).objects.values_list("assessment_id", "key"):
            highest[assessment_id] = max(highest.get(assessment_id) or 0, _number(key, "IND"))
    for assessment_id, last in highest.items():
        if last:
            KeyCounter.objects.update_or_create(assessment_id=assessment_id, prefix="IND", defaults={"last": last})


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_historicalindicator_version"),
        ("assessments", "0021_key_counters"),
    ]

    operations = [
        migrations.RunPython(counter_seed, migrations.RunPython.noop),
        migrations.RemoveField(model_name="indicatorsettings", name="key_counter"),
    ]
