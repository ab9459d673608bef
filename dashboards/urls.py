from django.urls import path

from .views.ecosystem import InventoryInsightsView, SellOutInsightsView, SupportInsightsView, WarrantyInsightsView
from .views.partners import PartnerDetailView, PartnerListView
from .views.portal import PortalScorecardView
from .views.products import ProductFeedbackDetailView, ProductFeedbackListView
from .views.quality import DataQualityListView, PortalDataQualityView

app_name = "dashboards"

# The two start pages (/manage/ "manage_home", /portal/ "portal_home") are wired in prm/urls.py.
urlpatterns = [
    path("manage/partners/", PartnerListView.as_view(), name="partner_list"),
    path("manage/partners/<int:pk>/", PartnerDetailView.as_view(), name="partner_detail"),
    path("manage/insights/inventory/", InventoryInsightsView.as_view(), name="inventory"),
    path("manage/insights/warranty/", WarrantyInsightsView.as_view(), name="warranty"),
    path("manage/data-quality/", DataQualityListView.as_view(), name="data_quality_list"),
    path("manage/products/", ProductFeedbackListView.as_view(), name="product_list"),
    path("manage/products/<int:pk>/", ProductFeedbackDetailView.as_view(), name="product_detail"),
    path("manage/insights/sellout/", SellOutInsightsView.as_view(), name="sellout"),
    path("manage/insights/support/", SupportInsightsView.as_view(), name="support"),
    path("portal/scorecard/", PortalScorecardView.as_view(), name="portal_scorecard"),
    path("portal/data-quality/", PortalDataQualityView.as_view(), name="portal_data_quality"),
]
