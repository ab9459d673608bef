from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "partner", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "regions")
    search_fields = ("username", "email", "first_name", "last_name", "partner__name")
    list_select_related = ("partner",)
    autocomplete_fields = ("partner",)
    filter_horizontal = ("regions", "groups", "user_permissions")
    fieldsets = BaseUserAdmin.fieldsets + (("PRM role", {"fields": ("role", "partner", "regions", "title", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("PRM role", {"fields": ("email", "role", "partner")}),)
