# Lost deals get a reason from an admin-editable list (LossReason); the free text a partner gave so far is kept
# as the deal's loss note, and those deals keep an empty reason ("not recorded").

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0004_reference_counters_in_core"),
    ]

    operations = [
        migrations.CreateModel(
            name="LossReason",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=40, unique=True)),
                ("name", models.CharField(max_length=100, unique=True)),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=0, help_text="Order in the list offered to partners."),
                ),
                ("is_active", models.BooleanField(default=True, help_text="Offered when a deal is closed lost.")),
                (
                    "needs_note",
                    models.BooleanField(default=False, help_text="The partner must describe the reason."),
                ),
            ],
            options={"ordering": ["position", "name"]},
        ),
        migrations.RenameField(model_name="dealregistration", old_name="loss_reason", new_name="loss_note"),
        migrations.AlterField(
            model_name="dealregistration",
            name="loss_note",
            field=models.TextField(blank=True, help_text="The partner's own words about the loss."),
        ),
        migrations.AddField(
            model_name="dealregistration",
            name="loss_reason",
            field=models.ForeignKey(
                blank=True,
                help_text="Why a lost deal was lost; empty on deals lost before the list existed (not recorded).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="deals",
                to="deals.lossreason",
            ),
        ),
    ]
