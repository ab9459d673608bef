from django.urls import path

from . import manage_views, views

app_name = "deals"

urlpatterns = [
    path("portal/deals/", views.DealListView.as_view(), name="deal_list"),
    path("portal/deals/new/", views.DealCreateView.as_view(), name="deal_create"),
    path("portal/deals/<int:pk>/", views.DealDetailView.as_view(), name="deal_detail"),
    path("portal/deals/<int:pk>/edit/", views.DealEditView.as_view(), name="deal_edit"),
    path("portal/deals/<int:pk>/submit/", views.DealSubmitView.as_view(), name="deal_submit"),
    path("portal/deals/<int:pk>/withdraw/", views.DealWithdrawView.as_view(), name="deal_withdraw"),
    path("portal/deals/<int:pk>/extension/", views.DealRequestExtensionView.as_view(), name="deal_request_extension"),
    path("portal/deals/<int:pk>/close/", views.DealCloseView.as_view(), name="deal_close"),
    path("manage/deals/", manage_views.ManageDealListView.as_view(), name="manage_deal_list"),
    path("manage/deals/queue/", manage_views.ApprovalQueueView.as_view(), name="manage_queue"),
    path("manage/deals/<int:pk>/", manage_views.ManageDealDetailView.as_view(), name="manage_deal_detail"),
    path("manage/deals/<int:pk>/conflicts/", manage_views.ConflictView.as_view(), name="manage_deal_conflicts"),
    path("manage/deals/<int:pk>/approve/", manage_views.ApproveView.as_view(), name="manage_deal_approve"),
    path("manage/deals/<int:pk>/reject/", manage_views.RejectView.as_view(), name="manage_deal_reject"),
    path("manage/deals/<int:pk>/extend/", manage_views.ExtendView.as_view(), name="manage_deal_extend"),
]
