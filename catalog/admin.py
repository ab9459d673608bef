from django.contrib import admin

from .models import Product, ProductLine


@admin.register(ProductLine)
class ProductLineAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "gtin", "name", "product_line", "list_price", "warranty_months", "is_active")
    list_filter = ("product_line", "is_active", "warranty_months")
    search_fields = ("sku", "gtin", "name")
    list_select_related = ("product_line",)
