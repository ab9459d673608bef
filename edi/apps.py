from django.apps import AppConfig


class EdiConfig(AppConfig):
    name = "edi"
    verbose_name = "EDI intake"

    def ready(self) -> None:
        from celery.signals import task_failure

        from .handlers import fail_import_of_failed_task

        task_failure.connect(fail_import_of_failed_task, dispatch_uid="edi.fail_import_of_failed_task")
