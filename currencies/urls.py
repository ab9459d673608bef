from django.urls import path

from . import views

app_name = "currencies"

urlpatterns = [
    path("manage/rates/", views.RateOverviewView.as_view(), name="rate_overview"),
    path("manage/rates/all/", views.RateListView.as_view(), name="rate_list"),
    path("manage/rates/template.csv", views.RateTemplateView.as_view(), name="rate_template"),
    path("manage/rates/upload/", views.RateUploadView.as_view(), name="rate_upload"),
    path("manage/rates/uploads/<int:pk>/", views.RateUploadDetailView.as_view(), name="rate_upload_detail"),
    path("manage/rates/uploads/<int:pk>/import/", views.RateUploadImportView.as_view(), name="rate_upload_import"),
]
