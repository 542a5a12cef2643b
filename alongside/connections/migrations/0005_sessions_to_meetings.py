"""Sessions and calendar feeds move to the meetings app: dropped from this app's state only; the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0004_matchingsettings_to_matching"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Session"),
                migrations.DeleteModel(name="CalendarFeed"),
            ],
            database_operations=[],
        ),
    ]
