"""The life of an uploaded sell-out file: the shared upload pipeline (ingest.uploads) with sell-out hooks.

Rows are checked by `validate_csv` for the uploading partner; the import opens an `ImportBatch` (channel
csv, the file's name, the user) and writes the valid rows through `sellout_lines_upsert`, all in the
transaction that marks the job done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ingest.services import import_batch_open
from ingest.uploads import PROGRESS_EVERY, UploadPipeline
from ingest.validation import RowValidation
from partners.models import Partner

from .csv_import import validate_csv
from .models import SellOutUpload
from .services import sellout_lines_upsert


class SellOutUploads(UploadPipeline):
    model = SellOutUpload
    label = "sell-out"
    validate_task = "sellout.tasks.validate_upload"
    import_task = "sellout.tasks.import_upload"
    settings_prefix = "PRM_SELLOUT"
    written_fields = ("batch",)

    def check(self, job: SellOutUpload, progress: Callable[[int], None]) -> RowValidation:
        return validate_csv(
            bytes(job.content),
            reporter=job.partner,
            max_errors=SellOutUpload.MAX_STORED_ERRORS,
            progress=progress,
            progress_every=PROGRESS_EVERY,
        )

    def write(self, job: SellOutUpload, rows: list[dict]) -> dict[str, int]:
        batch = import_batch_open(
            kind="sellout", channel="csv", partner=job.partner, user=job.user, filename=job.filename
        )
        job.batch = batch
        return sellout_lines_upsert(reporter=job.partner, rows=rows, batch=batch, user=job.user)


UPLOADS = SellOutUploads()


def sellout_upload_create(*, partner: Partner, user: Any, filename: str, content: bytes) -> SellOutUpload:
    """Store an uploaded file for checking, then check it now (small) or queue it for a worker (large)."""
    return UPLOADS.create(partner=partner, user=user, filename=filename, content=content)


def sellout_upload_request_import(*, job: SellOutUpload, user: Any) -> SellOutUpload:
    """The user chose to import the valid rows: run it now (small) or queue it (large)."""
    return UPLOADS.request_import(job=job, user=user)


def sellout_upload_resume(*, job: SellOutUpload, user: Any) -> SellOutUpload:
    """Start again a file whose processing stopped (see UploadPipeline.resume)."""
    return UPLOADS.resume(job=job, user=user)
