from rest_framework import serializers

from catalog.models import Product, ProductLine


class ProductLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductLine
        fields = ["id", "code", "name"]


class ProductSerializer(serializers.ModelSerializer):
    product_line = serializers.IntegerField(source="product_line_id", read_only=True)
    product_line_code = serializers.CharField(source="product_line.code", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "product_line",
            "product_line_code",
            "list_price",
            "warranty_months",
            "is_active",
            "updated_at",
        ]
