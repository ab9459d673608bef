"""Default SLA targets per severity and the first ticket categories; administrators change both afterwards."""

from django.db import migrations

# (first response, resolution) in calendar hours; support.models.DEFAULT_SLA_HOURS holds the same values.
SLA = {"critical": (1, 24), "high": (4, 72), "medium": (8, 120), "low": (24, 240)}
CATEGORIES = [
    ("hardware-fault", "Hardware fault", "A unit or part fails or is damaged."),
    ("software-defect", "Software defect", "Firmware or software misbehaves."),
    ("installation", "Installation", "Problems installing or commissioning the product."),
    ("configuration", "Configuration", "Setting the product up for the customer's use."),
    ("performance", "Performance", "Slower or less capacity than specified."),
    ("compatibility", "Compatibility", "Does not work with another product or version."),
    ("licensing", "Licensing", "Licences, activation and entitlements."),
    ("documentation", "Documentation", "Missing or wrong documentation."),
    ("how-to", "How-to question", "A question about using the product."),
]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("support", "SlaPolicy")
    TicketCategory = apps.get_model("support", "TicketCategory")
    for severity, (first, resolution) in SLA.items():
        SlaPolicy.objects.get_or_create(
            severity=severity, defaults={"first_response_hours": first, "resolution_hours": resolution}
        )
    for position, (code, name, description) in enumerate(CATEGORIES):
        TicketCategory.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
