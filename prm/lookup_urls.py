"""The JSON lookups behind the pickers that search (core.widgets.SearchSelect): /lookup/<what>/?q=…"""

from django.urls import path

from catalog.lookups import ProductLookupView
from core.lookups import CountryLookupView
from customers.lookups import CustomerLookupView
from partners.lookups import PartnerLookupView

app_name = "lookup"
urlpatterns = [
    path("products/", ProductLookupView.as_view(), name="products"),
    path("customers/", CustomerLookupView.as_view(), name="customers"),
    path("partners/", PartnerLookupView.as_view(), name="partners"),
    path("countries/", CountryLookupView.as_view(), name="countries"),
]
