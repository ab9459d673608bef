from django.urls import path

from .views.ecosystem import InventoryInsightsView, WarrantyInsightsView
from .views.portal import PortalScorecardView

app_name = "dashboards"

# The overview (/manage/, "manage_home") and the partner list and scorecard ("partners:…") keep their
# historical names; they are wired in prm/urls.py and partners/urls.py to the views of this app.
urlpatterns = [
    path("manage/insights/inventory/", InventoryInsightsView.as_view(), name="inventory"),
    path("manage/insights/warranty/", WarrantyInsightsView.as_view(), name="warranty"),
    path("portal/scorecard/", PortalScorecardView.as_view(), name="portal_scorecard"),
]
