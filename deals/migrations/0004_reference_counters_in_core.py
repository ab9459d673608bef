# The registration reference counters move to core.ReferenceSequence (prefix "DR"), shared by every workflow.

from django.db import migrations


def copy_counters(apps, schema_editor):
    old = apps.get_model("deals", "DealReferenceSequence")
    new = apps.get_model("core", "ReferenceSequence")
    for row in old.objects.all():
        new.objects.update_or_create(prefix="DR", year=row.year, defaults={"last_number": row.last_number})


def copy_counters_back(apps, schema_editor):
    old = apps.get_model("deals", "DealReferenceSequence")
    new = apps.get_model("core", "ReferenceSequence")
    for row in new.objects.filter(prefix="DR"):
        old.objects.update_or_create(year=row.year, defaults={"last_number": row.last_number})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_reference_sequence"),
        ("deals", "0003_withdrawn_draft_has_no_submission"),
    ]

    operations = [
        migrations.RunPython(copy_counters, copy_counters_back),
        migrations.DeleteModel(name="DealReferenceSequence"),
    ]
