"""Registration numbers are unique per register, compared without regard to case.

Each professional's number gets the register that gave it: the register of their first
registration (the one they were taken on in). A professional without any registration (none
exist outside hand-made data) gets the first register; without any register at all such
people cannot be kept and the migration stops, saying so.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


def number_registers(apps, schema_editor):
    Professional = apps.get_model("registry", "Professional")
    Register = apps.get_model("registry", "Register")
    Registration = apps.get_model("registry", "Registration")
    first = {}
    for professional_id, register_id in Registration.objects.order_by(
        "-registered_on", "-id"
    ).values_list("professional_id", "register_id"):
        first[professional_id] = register_id  # the earliest wins: read last
    by_register = {}
    for professional_id, register_id in first.items():
        by_register.setdefault(register_id, []).append(professional_id)
    for register_id, ids in by_register.items():
        for at in range(0, len(ids), 1000):
            Professional.objects.filter(pk__in=ids[at : at + 1000]).update(
                register_id=register_id
            )
    orphans = Professional.objects.filter(register__isnull=True)
    if orphans.exists():
        fallback = Register.objects.order_by("id").first()
        if fallback is None:
            raise RuntimeError("professionals without any register: add a register first")
        orphans.update(register=fallback)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0010_period_figures_changed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="professional",
            name="register",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="numbered_professionals",
                to="registry.register",
                verbose_name="register van het registratienummer",
            ),
        ),
        migrations.RunPython(number_registers, migrations.RunPython.noop),
    ]
