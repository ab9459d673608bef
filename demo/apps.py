from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the quick start and the benchmarks; nothing in the product imports it."""

    name = "demo"
    verbose_name = "Demo data"
