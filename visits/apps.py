from django.apps import AppConfig


class VisitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "visits"
    verbose_name = "Visits timeline"

    def ready(self) -> None:
        from visits import metrics

        metrics.register()
