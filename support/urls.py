from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("portal/support/", views.TicketListView.as_view(), name="ticket_list"),
    path("portal/support/new/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("portal/support/<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path("manage/support/", views.ManageTicketQueueView.as_view(), name="manage_ticket_list"),
    path("manage/support/<int:pk>/", views.ManageTicketDetailView.as_view(), name="manage_ticket_detail"),
]
