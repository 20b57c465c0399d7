"""Seed the topic taxonomy with the slugs that extraction, the API and embeds rely on."""

from django.db import migrations

TOPICS = [
    ("energy-security", "Energy security", "Gas and oil supplies, pipelines, energy links and grids."),
    ("membership-process", "Membership process", "Accession, integration and membership action plans."),
    ("partnership", "Partnership", "Partnership plans and programmes, cooperation agreements."),
    ("defence-cooperation", "Defence cooperation", "Military cooperation, arms, exercises, defence industry."),
    ("peace-process", "Peace process", "Negotiations, ceasefires, peace treaties, normalisation."),
    ("trade-investment", "Trade and investment", "Trade deals, tariffs, investment and economic ties."),
    ("sanctions", "Sanctions", "Sanctions, export controls and their enforcement."),
    ("ukraine-war", "War in Ukraine", "Russia's war against Ukraine: aid, security, reconstruction."),
    ("migration", "Migration", "Migration, asylum, borders and visas."),
    ("climate", "Climate", "Climate change, emissions and the energy transition."),
    ("other", "Other", "Topics outside the taxonomy."),
]


def seed_topics(apps, schema_editor):
    Topic = apps.get_model("visits", "Topic")
    for slug, name, description in TOPICS:
        Topic.objects.update_or_create(slug=slug, defaults={"name": name, "description": description})


def unseed_topics(apps, schema_editor):
    apps.get_model("visits", "Topic").objects.filter(slug__in=[slug for slug, _, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(seed_topics, unseed_topics)]
