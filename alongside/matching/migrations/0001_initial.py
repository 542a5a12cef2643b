"""MatchingSettings, moved here from connections: created in the state only, on the table connections made."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("connections", "0004_matchingsettings_to_matching"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MatchingSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('topic_experience', models.FloatField(default=3.0)),
                        ('career_stage_fit', models.FloatField(default=2.0)),
                        ('specialty_wish', models.FloatField(default=1.5)),
                        ('time_overlap', models.FloatField(default=2.0)),
                        ('load_spread', models.FloatField(default=1.0)),
                        ('waiting_time', models.FloatField(default=2.0)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'connections_matchingsettings',
                        'verbose_name': 'matching settings',
                        'verbose_name_plural': 'matching settings',
                        'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='matching_settings_single_row'), models.CheckConstraint(condition=models.Q(('topic_experience__gte', 0), ('topic_experience__lte', 1000)), name='matching_topic_experience_0_1000'), models.CheckConstraint(condition=models.Q(('career_stage_fit__gte', 0), ('career_stage_fit__lte', 1000)), name='matching_career_stage_fit_0_1000'), models.CheckConstraint(condition=models.Q(('specialty_wish__gte', 0), ('specialty_wish__lte', 1000)), name='matching_specialty_wish_0_1000'), models.CheckConstraint(condition=models.Q(('time_overlap__gte', 0), ('time_overlap__lte', 1000)), name='matching_time_overlap_0_1000'), models.CheckConstraint(condition=models.Q(('load_spread__gte', 0), ('load_spread__lte', 1000)), name='matching_load_spread_0_1000'), models.CheckConstraint(condition=models.Q(('waiting_time__gte', 0), ('waiting_time__lte', 1000)), name='matching_waiting_time_0_1000')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
