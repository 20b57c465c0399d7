from django.apps import AppConfig


class VisitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "visits"
    verbose_name = "Visits timeline"

    def ready(self) -> None:
        from visits import alerts, cache, metrics

        metrics.register()
        cache.connect_signals()  # workers' writes must invalidate the web's cached timeline too
        alerts.connect_signals()  # a change of the timeline tells the webhooks of matching saved searches
