"""Settings and URLs for the API benchmark's gunicorn: prm as deployed, plus a minimal reference view.

The reference view answers the same filtered page of deals (with their lines) using plain Django:
no DRF, no authentication, no serializers, `values()` rows straight into JsonResponse. It is what
the API's own overhead is compared with.
"""

from prm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_server"
# As in production, a request only queues its tasks (KPI refresh, webhooks, email) for a worker; here the
# queue is in memory and nothing consumes it, so the benchmark times the request and not the work it queues.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = "memory://localhost/"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405


def minimal_deal_page(request):
    from django.http import JsonResponse

    from deals.models import DealLine, DealRegistration

    rows = list(
        DealRegistration.objects.filter(
            status=request.GET.get("status", "approved"), partner__region_id=request.GET.get("region")
        )
        .order_by("-id")
        .values(
            "id",
            "reference",
            "partner_id",
            "partner__name",
            "customer_id",
            "customer__name",
            "customer__domain",
            "deal_type",
            "status",
            "amount",
            "currency",
            "expected_close_date",
            "notes",
            "source",
            "submitted_at",
            "decided_at",
            "rejection_reason",
            "protection_expires_at",
            "closed_at",
            "has_conflict",
        )[:100]
    )
    lines: dict[int, list] = {}
    for line in DealLine.objects.filter(deal_id__in=[r["id"] for r in rows]).values(
        "id", "deal_id", "product_id", "product__sku", "product__name", "quantity", "unit_price"
    ):
        lines.setdefault(line["deal_id"], []).append(line)
    for row in rows:
        row["lines"] = lines.get(row["id"], [])
    return JsonResponse({"results": rows})


def __getattr__(name: str):
    """`urlpatterns`, built on first use: this module is also the settings, read before apps load."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import include, path

    return [path("bench/minimal-deals/", minimal_deal_page), path("", include("prm.urls"))]
