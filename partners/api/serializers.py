from rest_framework import serializers

from partners.models import Partner


class PartnerSerializer(serializers.ModelSerializer):
    tier = serializers.SlugRelatedField(slug_field="name", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "partner_type",
            "tier",
            "status",
            "region",
            "country",
            "parent",
            "website",
            "joined_on",
            "onboarded_on",
            "created_at",
            "updated_at",
        ]
