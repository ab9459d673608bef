from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("portal/inventory/", views.InventoryListView.as_view(), name="inventory_list"),
    path("portal/inventory/report/", views.InventoryReportView.as_view(), name="inventory_report"),
    path("portal/inventory/template.csv", views.InventoryTemplateView.as_view(), name="inventory_template"),
    path("portal/inventory/upload/", views.InventoryUploadView.as_view(), name="inventory_upload"),
    path("portal/inventory/imports/", views.ImportJobListView.as_view(), name="import_list"),
    path("portal/inventory/imports/<int:pk>/", views.ImportJobDetailView.as_view(), name="import_detail"),
    path("portal/inventory/imports/<int:pk>/import/", views.ImportJobImportView.as_view(), name="import_run"),
    path("portal/inventory/imports/<int:pk>/errors.csv", views.ImportJobErrorsView.as_view(), name="import_errors"),
    path("portal/inventory/imports/<int:pk>/resume/", views.ImportJobResumeView.as_view(), name="import_resume"),
    path("manage/inventory/", views.ManageInventoryListView.as_view(), name="manage_inventory_list"),
    path("manage/inventory/imports/", views.ManageImportJobListView.as_view(), name="manage_import_list"),
    path("manage/inventory/imports/<int:pk>/", views.ManageImportJobDetailView.as_view(), name="manage_import_detail"),
    path(
        "manage/inventory/imports/<int:pk>/resume/",
        views.ManageImportJobResumeView.as_view(),
        name="manage_import_resume",
    ),
]
