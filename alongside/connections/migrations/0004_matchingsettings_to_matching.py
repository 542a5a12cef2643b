"""MatchingSettings moves to the matching app: dropped from this app's state only; the table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0003_sessions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="MatchingSettings")],
            database_operations=[],
        ),
    ]
