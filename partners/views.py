from django.db.models import Count
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from core.views import ManagerRequiredMixin, VisibleQuerysetMixin
from deals.home import PortalHomeView  # noqa: F401  (the portal home lives with the deals it lists)

from .filtersets import PartnerFilterSet
from .models import Partner


class ManageHomeView(ManagerRequiredMixin, TemplateView):
    template_name = "partners/manage_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partners = Partner.objects.visible_to(self.request.user)
        counts = dict(partners.values_list("status").annotate(n=Count("pk")).order_by())
        context["status_rows"] = [(value, label, counts.get(value, 0)) for value, label in Partner.Status.choices]
        context["partner_count"] = sum(counts.values())
        return context


class PartnerListView(ManagerRequiredMixin, VisibleQuerysetMixin, FilterView):
    model = Partner
    filterset_class = PartnerFilterSet
    paginate_by = 50
    template_name = "partners/partner_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("tier", "region", "parent")


class PartnerDetailView(ManagerRequiredMixin, VisibleQuerysetMixin, DetailView):
    model = Partner
    template_name = "partners/partner_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("tier", "region", "parent", "account_manager", "program")
