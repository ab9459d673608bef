"""Partners and their reference data over the API (read-only: partners are managed in the web app)."""

from core.api.viewsets import SCOPE_PUBLIC, SCOPE_VISIBLE, ReadOnlyScopedViewSet
from partners.filtersets import CertificationFilterSet, PartnerFilterSet
from partners.models import Certification, Partner, Region, Tier

from .serializers import CertificationSerializer, PartnerSerializer, RegionSerializer, TierSerializer


class PartnerViewSet(ReadOnlyScopedViewSet):
    scope = SCOPE_VISIBLE
    queryset = Partner.objects.select_related("tier", "region")
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    ordering_fields = ["id", "name", "created_at"]
    ordering = ("name",)
    lookup_value_regex = r"\d+"


class RegionViewSet(ReadOnlyScopedViewSet):
    """Regions are reference data every signed-in user may read."""

    scope = SCOPE_PUBLIC
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    ordering_fields = ["id", "name", "code"]
    ordering = ("name",)
    lookup_value_regex = r"\d+"


class TierViewSet(ReadOnlyScopedViewSet):
    scope = SCOPE_PUBLIC
    queryset = Tier.objects.all()
    serializer_class = TierSerializer
    ordering_fields = ["id", "rank", "name"]
    ordering = ("rank",)
    lookup_value_regex = r"\d+"


class CertificationViewSet(ReadOnlyScopedViewSet):
    scope = SCOPE_VISIBLE
    queryset = Certification.objects.all()
    serializer_class = CertificationSerializer
    filterset_class = CertificationFilterSet
    ordering_fields = ["id", "earned_on", "expires_on"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"
