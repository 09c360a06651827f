"""``Professional.first_name`` held voorletters under a first name's name: it is ``initials``
(voorletters) now, the data kept as it is."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0012_number_unique_per_register"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="professional", name="prof_name_idx"),
        migrations.RenameField(model_name="professional", old_name="first_name", new_name="initials"),
        migrations.AlterField(
            model_name="professional",
            name="initials",
            field=models.CharField(max_length=100, verbose_name="voorletters"),
        ),
        migrations.AlterModelOptions(
            name="professional",
            options={
                "ordering": ["last_name", "initials", "id"],
                "verbose_name": "professional",
                "verbose_name_plural": "professionals",
            },
        ),
        migrations.AddIndex(
            model_name="professional",
            index=models.Index(fields=["last_name", "initials", "id"], name="prof_name_idx"),
        ),
    ]
