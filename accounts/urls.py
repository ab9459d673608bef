from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("portal/users/", views.PartnerUserListView.as_view(), name="user_list"),
    path("portal/users/invite/", views.PartnerUserInviteView.as_view(), name="user_invite"),
    path("portal/users/<int:pk>/deactivate/", views.PartnerUserDeactivateView.as_view(), name="user_deactivate"),
    path("portal/users/<int:pk>/reactivate/", views.PartnerUserReactivateView.as_view(), name="user_reactivate"),
    path("portal/users/<int:pk>/role/", views.PartnerUserRoleView.as_view(), name="user_role"),
    path("portal/users/<int:pk>/resend/", views.PartnerUserResendView.as_view(), name="user_resend"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/changed/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("account/password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("account/set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
    path("account/set-password/done/", views.SetPasswordDoneView.as_view(), name="set_password_done"),
]
