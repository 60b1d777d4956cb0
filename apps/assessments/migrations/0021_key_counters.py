"""One counter per assessment and key prefix (apps.assessments.keys) replaces the assessment's three counter
columns. Each starts at the highest number the assessment ever handed out: its old counter, and every key
its items and their history (deleted items included) carry."""

import django.db.models.deletion
from django.db import migrations, models

KINDS = (
    ("H", "hypothesis_counter", "Hypothesis"),
    ("E", "evidence_counter", "Evidence"),
    ("S", "source_counter", "Source"),
)


def _number(key, prefix):
    digits = key[len(prefix) :]
    return int(digits) if key.startswith(prefix) and digits.isdigit() else 0


def counters_seed(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    KeyCounter = apps.get_model("assessments", "KeyCounter")
    highest = {}
    for assessment_id, *counters in Assessment.objects.values_list("pk", *(column for _, column, _ in KINDS)):
        for (prefix, _, _), counter in zip(KINDS, counters, strict=True):
            highest[(assessment_id, prefix)] = counter or 0
    for prefix, _, model in KINDS:
        for name in (model, f"Historical{model}"):
            for assessment_id, key in apps.get_model("assessments", name).objects.values_list("assessment_id", "key"):
                slot = (assessment_id, prefix)
                highest[slot] = max(highest.get(slot, 0), _number(key, prefix))
    KeyCounter.objects.bulk_create(
        KeyCounter(assessment_id=assessment_id, prefix=prefix, last=last)
        for (assessment_id, prefix), last in highest.items()
        if last
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0020_duplicate_marks"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeyCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("prefix", models.CharField(max_length=10)),
                ("last", models.PositiveIntegerField(default=0)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="assessments.assessment"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("assessment", "prefix"), name="key_counter_per_prefix")
                ],
            },
        ),
        migrations.RunPython(counters_seed, migrations.RunPython.noop),
        migrations.RemoveField(model_name="assessment", name="evidence_counter"),
        migrations.RemoveField(model_name="assessment", name="hypothesis_counter"),
        migrations.RemoveField(model_name="assessment", name="source_counter"),
    ]
