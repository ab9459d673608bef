from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations (API and webhooks)"

    def ready(self) -> None:
        from core.events import subscribe

        from . import checks, schema  # noqa: F401  (register the deploy checks; the token scheme with drf-spectacular)
        from .webhooks import enqueue_event_deliveries

        subscribe(enqueue_event_deliveries)
