from django.db import migrations


def unlogged(apps, schema_editor):
    # A recompute's working table: rebuilt by any run, so it need not go through the write-ahead log.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE analytics_healthinput SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE analytics_healthinput SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(unlogged, logged)]
