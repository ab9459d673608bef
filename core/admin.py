from django.contrib import admin

from .models import ReferenceSequence


@admin.register(ReferenceSequence)
class ReferenceSequenceAdmin(admin.ModelAdmin):
    """The reference counters (DR-, WC-, …): shown for support; a number is only ever taken by the services."""

    list_display = ("prefix", "year", "last_number")
    readonly_fields = ("prefix", "year")
