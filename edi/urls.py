from django.urls import path

from . import views

app_name = "edi"

urlpatterns = [
    path("portal/edi/", views.UploadView.as_view(), name="upload"),
    path("portal/edi/imports/", views.ImportListView.as_view(), name="import_list"),
    path("portal/edi/imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("portal/edi/imports/<int:pk>/errors.csv", views.ImportErrorsView.as_view(), name="import_errors"),
    path("portal/edi/activity/", views.ActivityListView.as_view(), name="activity_list"),
    path("manage/edi/", views.ManageUploadView.as_view(), name="manage_upload"),
    path("manage/edi/imports/", views.ManageImportListView.as_view(), name="manage_import_list"),
    path("manage/edi/imports/<int:pk>/", views.ManageImportDetailView.as_view(), name="manage_import_detail"),
    path("manage/edi/imports/<int:pk>/errors.csv", views.ManageImportErrorsView.as_view(), name="manage_import_errors"),
    path("manage/edi/activity/", views.ManageActivityListView.as_view(), name="manage_activity_list"),
    path("manage/edi/locations/", views.ManageLocationListView.as_view(), name="manage_location_list"),
]
