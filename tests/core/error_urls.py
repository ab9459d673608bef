"""The site's URLs plus one view that fails, to see the 500 page as Django renders it."""

from django.urls import path

from prm.urls import urlpatterns as site_urlpatterns


def failing_view(request):
    raise RuntimeError("a defect in a view")


urlpatterns = [*site_urlpatterns, path("failing-view/", failing_view)]
