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
    path("manage/inventory/", views.ManageInventoryListView.as_view(), name="manage_inventory_list"),
]
