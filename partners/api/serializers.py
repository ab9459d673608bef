from rest_framework import serializers

from partners.models import Certification, Partner, Region, Tier


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name"]


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "name", "rank", "min_trailing_revenue", "required_certifications", "description"]


class PartnerSerializer(serializers.ModelSerializer):
    tier = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    tier_id = serializers.IntegerField(read_only=True, allow_null=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_id = serializers.IntegerField(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "partner_type",
            "tier",
            "tier_id",
            "status",
            "region",
            "region_id",
            "country",
            "parent",
            "website",
            "joined_on",
            "onboarded_on",
            "created_at",
            "updated_at",
        ]


class CertificationSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    product_line = serializers.IntegerField(source="product_line_id", read_only=True, allow_null=True)

    class Meta:
        model = Certification
        fields = ["id", "partner", "name", "product_line", "holder_name", "earned_on", "expires_on", "created_at"]
