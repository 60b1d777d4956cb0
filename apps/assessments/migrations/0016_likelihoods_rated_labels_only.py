"""Likelihood maps name exactly CC, C, N, I, II (apps.ach.scoring.likelihoods_checked): file loads used to
store NA and blank entries too, which scoring ignored; they are dropped."""

from django.db import migrations

UNUSED = ("NA", "")


def drop_unused_entries(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    for assessment in Assessment.objects.exclude(likelihoods={}).only("pk", "likelihoods").iterator():
        if any(label in assessment.likelihoods for label in UNUSED):
            kept = {label: value for label, value in assessment.likelihoods.items() if label not in UNUSED}
            Assessment.objects.filter(pk=assessment.pk).update(likelihoods=kept)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0015_assessment_resolved_at_as_of")]

    operations = [migrations.RunPython(drop_unused_entries, migrations.RunPython.noop)]
