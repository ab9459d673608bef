from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from .api import checks, schema  # noqa: F401  (the API scope check; the OpenAPI extensions)
