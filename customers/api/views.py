"""End customers over the API, read-only: a partner sees only the customers of its own deals and claims."""

from core.api.viewsets import SCOPE_VISIBLE, ReadOnlyScopedViewSet
from customers.filtersets import CustomerFilterSet
from customers.models import Customer

from .serializers import CustomerSerializer


class CustomerViewSet(ReadOnlyScopedViewSet):
    scope = SCOPE_VISIBLE
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["id", "name"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"
