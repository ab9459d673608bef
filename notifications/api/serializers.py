from rest_framework import serializers

from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "verb", "title", "body", "url", "created_at", "read_at", "is_read"]

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text="How many notifications were marked read.")
