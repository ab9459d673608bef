from django.contrib import admin

from .models import SlaPolicy, Ticket, TicketCategory, TicketComment, TicketEvent


@admin.register(TicketCategory)
class TicketCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active", "position")
    list_editable = ("is_active", "position")
    list_filter = ("is_active",)
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # The code is what reports and product feedback key on: fixed once the category exists.
        return ("code",) if obj is not None else ()


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("severity", "first_response_hours", "resolution_hours")


class TicketCommentInline(admin.TabularInline):
    model = TicketComment
    extra = 0
    readonly_fields = ("created_at", "author", "side", "is_internal", "body")
    can_delete = False


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    readonly_fields = ("at", "actor", "from_status", "to_status", "note")
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("reference", "partner", "product", "category", "severity", "status", "opened_at", "reopen_count")
    list_filter = ("status", "severity", "origin", "category")
    search_fields = ("reference", "subject", "serial_number", "partner__name", "product__sku")
    list_select_related = ("partner", "product", "category")
    raw_id_fields = ("partner", "product", "customer", "raised_by", "warranty_claim", "deal")
    date_hierarchy = "opened_at"
    inlines = [TicketCommentInline, TicketEventInline]
    show_full_result_count = False
