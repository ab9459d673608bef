from django.urls import path

from dashboards.views.partners import PartnerDetailView, PartnerListView

app_name = "partners"

# The manager's partner pages are dashboards (health, KPIs, exports); they keep their names here.
urlpatterns = [
    path("manage/partners/", PartnerListView.as_view(), name="partner_list"),
    path("manage/partners/<int:pk>/", PartnerDetailView.as_view(), name="partner_detail"),
]
