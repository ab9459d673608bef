from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "normalised_name", "domain", "country", "industry")
    list_filter = ("industry", "country")
    search_fields = ("name", "normalised_name", "domain")
    readonly_fields = ("normalised_name",)
