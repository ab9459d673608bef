from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self) -> None:
        from celery.signals import task_failure

        from .handlers import fail_job_of_failed_task

        task_failure.connect(fail_job_of_failed_task, dispatch_uid="inventory.fail_job_of_failed_task")
