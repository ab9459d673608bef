from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from core.views import FaviconView
from dashboards.views.ecosystem import EcosystemOverviewView
from dashboards.views.portal_home import PortalHomeView

# Each app's urls.py carries its own `portal/…` and `manage/…` paths.
urlpatterns = [
    path("", include("core.urls")),
    path("manage/", EcosystemOverviewView.as_view(), name="manage_home"),
    path("portal/", PortalHomeView.as_view(), name="portal_home"),
    path("", include("accounts.urls")),
    path("", include("deals.urls")),
    path("", include("inventory.urls")),
    path("", include("sellout.urls")),
    path("", include("warranty.urls")),
    path("", include("activations.urls")),
    path("", include("support.urls")),
    path("", include("notifications.urls")),
    path("", include("integrations.urls")),
    path("", include("currencies.urls")),
    path("", include("edi.urls")),
    path("", include("dashboards.urls")),
    path("lookup/", include("prm.lookup_urls")),
    path("admin/", admin.site.urls),
    # Pages we do not template (the browsable API, the admin) have no icon link: browsers ask for this one.
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("api/v1/", include("prm.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy forbids inline ones.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
