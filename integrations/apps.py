from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations (API and webhooks)"

    def ready(self) -> None:
        from celery.signals import task_retry

        from core.events import subscribe

        from . import checks, schema  # noqa: F401  (register the deploy checks; the token scheme with drf-spectacular)
        from .handlers import record_next_attempt
        from .webhooks import enqueue_event_deliveries

        # The outbox: deliveries are written in the transaction that emits the event.
        subscribe(enqueue_event_deliveries, in_transaction=True)
        task_retry.connect(record_next_attempt, dispatch_uid="integrations.record_next_attempt")
