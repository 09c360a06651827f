"""Declare the covering index of 0003 in ``Completion.Meta`` and drop the index it supersedes.

0003 created ``completion_prof_date_pts_idx`` (professional, completed_on, points) in raw SQL,
outside the model state. This migration adds it to the state only (the database already has it,
so it is not created twice) and removes ``completion_prof_date_idx`` (professional,
completed_on): the covering index has the same leading columns, so it serves every lookup and
ordering that one served (points sums, the dossier's completions, the completions import).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_completion_points_covering_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="completion",
                    index=models.Index(
                        fields=["professional", "completed_on", "points"],
                        name="completion_prof_date_pts_idx",
                    ),
                )
            ],
            database_operations=[],
        ),
        migrations.RemoveIndex(model_name="completion", name="completion_prof_date_idx"),
    ]
