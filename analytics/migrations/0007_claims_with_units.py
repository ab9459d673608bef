from django.db import migrations, models


class Migration(migrations.Migration):
    """Claims per 1,000 units counts only the claims of partners that reported units sold: its numerator is
    stored so groups and longer periods are rebuilt from it. Existing rows are filled with their claims where they
    have units sold: exact for partner months, close for groups and longer periods until the next recompute."""

    dependencies = [
        ("analytics", "0006_failure_code_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="kpisnapshot",
            name="claims_with_units",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Claims submitted in months in which the partner reported units sold (claims per 1,000 units).",
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(
            "UPDATE analytics_kpisnapshot SET claims_with_units = "
            "CASE WHEN units_sold > 0 THEN claims_submitted ELSE 0 END",
            migrations.RunSQL.noop,
        ),
    ]
