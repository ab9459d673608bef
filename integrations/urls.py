from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("account/api/", views.ApiSettingsView.as_view(), name="api_settings"),
    path("account/api/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token_revoke"),
    path("account/api/webhooks/new/", views.WebhookCreateView.as_view(), name="webhook_create"),
    path("account/api/webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="webhook_detail"),
    path(
        "account/api/webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="webhook_redeliver",
    ),
]
