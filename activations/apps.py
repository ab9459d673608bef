from django.apps import AppConfig


class ActivationsConfig(AppConfig):
    name = "activations"
    verbose_name = "Activations and usage"

    def ready(self) -> None:
        from core.events import subscribe
        from ingest.services import register_reverter

        from .services import activation_batch_revert, on_event, usage_batch_revert

        register_reverter("activations", activation_batch_revert)
        register_reverter("usage", usage_batch_revert)
        # New or reverted sell-out lines may change who sold a serial: re-link and recompute after commit.
        subscribe(on_event)
