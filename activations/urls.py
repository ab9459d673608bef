from django.urls import path

from .views import ActivationRatesView

app_name = "activations"

urlpatterns = [
    path("manage/activations/", ActivationRatesView.as_view(), name="manage_rates"),
]
