"""Registration numbers unique per register, case-insensitively (after ``0010``, which gave
every number its register; apart, so PostgreSQL alters the table after the update committed)."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_number_registers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="professional",
            name="register",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="numbered_professionals",
                to="registry.register",
                verbose_name="register van het registratienummer",
            ),
        ),
        migrations.AlterField(
            model_name="professional",
            name="registration_number",
            field=models.CharField(
                help_text="Tekst: voorloopnullen tellen mee.",
                max_length=20,
                verbose_name="registratienummer",
            ),
        ),
        migrations.AddConstraint(
            model_name="professional",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("registration_number"),
                models.F("register"),
                name="prof_number_unique_per_register",
            ),
        ),
    ]
