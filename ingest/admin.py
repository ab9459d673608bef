from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "channel",
        "partner",
        "filename",
        "reference",
        "created_count",
        "updated_count",
        "created_at",
        "reverted_at",
    ]
    list_filter = ["kind", "channel"]
    search_fields = ["filename", "reference", "partner__name"]
    raw_id_fields = ["partner", "user", "token", "reverted_by"]
    readonly_fields = ["created_at", "updated_at", "revert_summary"]
