from django.apps import AppConfig


class SelloutConfig(AppConfig):
    name = "sellout"
    verbose_name = "Sell-out"

    def ready(self) -> None:
        from celery.signals import task_failure

        from ingest.services import register_reverter

        from .imports import UPLOADS
        from .services import sellout_batch_revert

        register_reverter("sellout", sellout_batch_revert)
        task_failure.connect(UPLOADS.fail_job_of_failed_task, dispatch_uid="sellout.fail_job_of_failed_task")
