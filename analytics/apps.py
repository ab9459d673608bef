from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from celery.signals import task_failure

        from core.events import subscribe

        from .handlers import fail_run_of_failed_task
        from .services import on_event

        # Any change to a partner's deals, stock or claims schedules a (debounced) refresh of its figures.
        subscribe(on_event)
        task_failure.connect(fail_run_of_failed_task, dispatch_uid="analytics.fail_run_of_failed_task")
