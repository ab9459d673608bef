from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from core.events import subscribe

        from .services import on_event

        # Any change to a partner's deals, stock or claims schedules a (debounced) refresh of its figures.
        subscribe(on_event)
