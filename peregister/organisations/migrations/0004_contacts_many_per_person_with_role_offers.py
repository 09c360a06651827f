"""One person, several roles (issue 18): a user may be a contact of several organisations
(the one-to-one becomes a foreign key, one contact per person per organisation), and a role
offered to an existing account waits for its person to accept it (``offer``).

Every existing contact was made with its own account: it keeps its access as "accepted",
the column's default, so no row needs rewriting.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0003_organisation_kind_provider'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='offer',
            field=models.CharField(choices=[('accepted', 'geaccepteerd'), ('pending', 'nog niet geaccepteerd'), ('declined', 'afgewezen')], db_default='accepted', default='accepted', max_length=10, verbose_name='rol'),
        ),
        migrations.AddField(
            model_name='contact',
            name='offer_answered_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='rol beantwoord op'),
        ),
        migrations.AlterField(
            model_name='contact',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contacts', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='contact',
            constraint=models.UniqueConstraint(fields=('user', 'organisation'), name='contact_one_per_person_per_organisation'),
        ),
    ]
