"""Sort names of officials whose names are written family name first ("Xi, Jinping", not "Jinping, Xi").

Only rows whose sort name is still the one computed given-name first are changed: a sort name an
analyst wrote is kept.
"""

from django.db import migrations

from visits.extraction.directory import FAMILY_NAME_FIRST, sort_name


def _given_first(name: str) -> str:
    parts = name.split()
    return f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else name


def family_name_first(apps, schema_editor):
    Person = apps.get_model("visits", "Person")
    changed = []
    for person in Person.objects.filter(country_id__in=FAMILY_NAME_FIRST).only("pk", "name", "sort_name", "country_id"):
        if person.sort_name == _given_first(person.name):
            person.sort_name = sort_name(person.name, person.country_id)
            changed.append(person)
    Person.objects.bulk_update(changed, ["sort_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("visits", "0011_country_filter_indexes")]

    operations = [migrations.RunPython(family_name_first, migrations.RunPython.noop)]
