from rest_framework import serializers

from edi.models import EdiImport


class EdiErrorSerializer(serializers.Serializer):
    segment = serializers.IntegerField(allow_null=True, help_text="Position in the interchange; ISA is 1.")
    segment_id = serializers.CharField()
    element = serializers.IntegerField(help_text="Element position, from 1 (ZA02 is 2); 0 for the whole segment.")
    value = serializers.CharField()
    reason = serializers.CharField()


class EdiImportSerializer(serializers.ModelSerializer):
    """An interchange and its outcome (an import job: poll it while `status` is pending, processing or importing)."""

    partner = serializers.IntegerField(source="partner_id", read_only=True, allow_null=True)
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)
    errors = EdiErrorSerializer(many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="edi-api:edi-import-detail")

    class Meta:
        model = EdiImport
        fields = [
            "id",
            "url",
            "status",
            "status_display",
            "source",
            "filename",
            "size",
            "partner",
            "sender_qualifier",
            "sender_id",
            "control_number",
            "version",
            "kinds",
            "transaction_count",
            "segment_count",
            "phase",
            "progress_percent",
            "error_count",
            "errors",
            "summary",
            "message",
            "duplicate_of",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class EdiImportListSerializer(EdiImportSerializer):
    """The list leaves out the errors (read them on the interchange itself)."""

    class Meta(EdiImportSerializer.Meta):
        fields = [name for name in EdiImportSerializer.Meta.fields if name != "errors"]
        read_only_fields = fields
