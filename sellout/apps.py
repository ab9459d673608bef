from django.apps import AppConfig


class SelloutConfig(AppConfig):
    name = "sellout"
    verbose_name = "Sell-out"

    def ready(self) -> None:
        from ingest.services import register_reverter

        from .services import sellout_batch_revert

        register_reverter("sellout", sellout_batch_revert)
