from django.urls import path

from . import views

app_name = "warranty"

urlpatterns = [
    path("portal/warranty/", views.ClaimListView.as_view(), name="claim_list"),
    path("portal/warranty/new/", views.ClaimCreateView.as_view(), name="claim_create"),
    path("portal/warranty/<int:pk>/", views.ClaimDetailView.as_view(), name="claim_detail"),
    path("manage/warranty/", views.ManageClaimQueueView.as_view(), name="manage_claim_list"),
    path("manage/warranty/<int:pk>/", views.ManageClaimDetailView.as_view(), name="manage_claim_detail"),
]
