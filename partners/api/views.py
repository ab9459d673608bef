from core.api import VisibleReadOnlyModelViewSet
from partners.filtersets import PartnerFilterSet
from partners.models import Partner

from .serializers import PartnerSerializer


class PartnerViewSet(VisibleReadOnlyModelViewSet):
    queryset = Partner.objects.select_related("tier", "region").order_by("name", "pk")
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    ordering_fields = ["name", "status", "joined_on"]
