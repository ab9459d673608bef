from django.urls import path

from . import review_views, views

app_name = "sellout"

urlpatterns = [
    path("portal/sellout/", views.SellOutLineListView.as_view(), name="line_list"),
    path("portal/sellout/<int:pk>/", views.SellOutLineDetailView.as_view(), name="line_detail"),
    path("portal/sellout/template.csv", views.SellOutTemplateView.as_view(), name="template"),
    path("portal/sellout/example.csv", views.SellOutExampleView.as_view(), name="example"),
    path("portal/sellout/upload/", views.SellOutUploadView.as_view(), name="upload"),
    path("portal/sellout/uploads/", views.SellOutUploadListView.as_view(), name="upload_list"),
    path("portal/sellout/uploads/<int:pk>/", views.SellOutUploadDetailView.as_view(), name="upload_detail"),
    path("portal/sellout/uploads/<int:pk>/import/", views.SellOutUploadImportView.as_view(), name="upload_run"),
    path("portal/sellout/uploads/<int:pk>/resume/", views.SellOutUploadResumeView.as_view(), name="upload_resume"),
    path("portal/sellout/uploads/<int:pk>/errors.csv", views.SellOutUploadErrorsView.as_view(), name="upload_errors"),
    path("portal/sellout/reconciliation/", views.ReconciliationView.as_view(), name="reconciliation"),
    path("manage/sellout/", views.ManageSellOutLineListView.as_view(), name="manage_line_list"),
    path("manage/sellout/<int:pk>/", views.ManageSellOutLineDetailView.as_view(), name="manage_line_detail"),
    path("manage/sellout/imports/", review_views.ImportBatchListView.as_view(), name="manage_batch_list"),
    path("manage/sellout/imports/<int:pk>/", review_views.ImportBatchDetailView.as_view(), name="manage_batch_detail"),
    path(
        "manage/sellout/imports/<int:pk>/revert/",
        review_views.ImportBatchRevertView.as_view(),
        name="manage_batch_revert",
    ),
    path("manage/sellout/candidates/", review_views.CandidateListView.as_view(), name="manage_candidate_list"),
    path(
        "manage/sellout/candidates/<int:pk>/",
        review_views.CandidateDetailView.as_view(),
        name="manage_candidate_detail",
    ),
    path(
        "manage/sellout/candidates/<int:pk>/create/",
        review_views.CandidateCreateView.as_view(),
        name="manage_candidate_create",
    ),
    path(
        "manage/sellout/candidates/<int:pk>/link/",
        review_views.CandidateLinkView.as_view(),
        name="manage_candidate_link",
    ),
    path("manage/sellout/reconciliation/", views.ManageReconciliationView.as_view(), name="manage_reconciliation"),
]
