# The standard loss reasons (admins may reword, reorder, deactivate or add to them). Existing lost deals keep
# an empty reason: their partners never chose from this list, and guessing from free text would invent data.

from django.db import migrations

REASONS = [
    ("price", "Price", False),
    ("competitor", "Lost to a competitor", False),
    ("no_budget", "No budget", False),
    ("no_decision", "No decision / project cancelled", False),
    ("timing", "Timing / postponed", False),
    ("product_fit", "Product did not fit the requirements", False),
    ("other_partner", "Lost to another partner", False),
    ("other", "Other", True),
]


def seed(apps, schema_editor):
    LossReason = apps.get_model("deals", "LossReason")
    for position, (code, name, needs_note) in enumerate(REASONS, start=1):
        LossReason.objects.update_or_create(
            code=code, defaults={"name": name, "position": position * 10, "needs_note": needs_note}
        )


def unseed(apps, schema_editor):
    LossReason = apps.get_model("deals", "LossReason")
    LossReason.objects.filter(code__in=[code for code, _, _ in REASONS], deals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0005_loss_reasons"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
