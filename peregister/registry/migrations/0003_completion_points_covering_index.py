"""A covering index for the points sums: (professional, completed_on, points).

Every PE-points figure (Professionals list, report, dossier, home) is a SUM of a professional's
completion points within a period's dates. With ``completion_prof_date_idx`` alone each
matching completion is one more table lookup; completions arrive over time (attendance imports),
so a professional's rows lie scattered over the table. Measured with ``make bench`` (100,000
professionals, 2,000,000 completions, 2 cores): the report's rows 478 → 203 ms on SQLite and
913 → 374 ms on PostgreSQL; *Professionals* sorted by points 293 → 100 ms (SQLite) and
632 → 257 ms (PostgreSQL); the last page 402 → 174 ms and 708 → 456 ms.

Plain SQL, outside the model state, so that it could be added without touching the model
(parallel work); moving it into ``Completion.Meta.indexes`` (replacing the then redundant
``completion_prof_date_idx``) needs a ``SeparateDatabaseAndState`` migration.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_self_report")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX completion_prof_date_pts_idx "
                "ON registry_completion (professional_id, completed_on, points)"
            ),
            reverse_sql="DROP INDEX completion_prof_date_pts_idx",
        )
    ]
