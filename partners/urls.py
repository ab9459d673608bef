from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("manage/partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("manage/partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner_detail"),
]
