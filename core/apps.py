from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from core.api import checks  # noqa: F401  (registers the API scope check)
