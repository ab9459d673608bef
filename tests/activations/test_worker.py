"""End to end on a real Celery worker (PostgreSQL + Redis): the figures task sent through the broker writes
the same rows as the same step run here."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from activations.figures import activation_figures_compute
from activations.models import Activation, ActivationFigure
from activations.services import activation_sellers_relink
from activations.tasks import refresh_figures
from prm.celery import app
from tests import factories as f
from tests.analytics.test_worker import Worker

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FIELDS = ("partner_id", "product_line_id", "month", "sold_units", "activated_units", "lag_days", "installed_base")


@pytest.fixture
def through_redis():
    app.conf.task_always_eager = False
    app.control.purge()
    yield
    app.conf.task_always_eager = True


def test_the_figures_task_runs_on_a_real_worker(through_redis, sell):
    switch = f.ProductFactory(sku="WK-1")
    partners = [f.PartnerFactory(name=f"Worker partner {n}") for n in range(3)]
    batch = f.ImportBatchFactory(partner=None, kind="activations")
    for n, partner in enumerate(partners):
        sold = date.today() - timedelta(days=40 + n)
        sell(partner, switch, [f"WK-{n}-{k}" for k in range(4)], sold)
        for k in range(n + 1):
            Activation.objects.create(
                product=switch, identifier=f"WK-{n}-{k}", activated_on=sold + timedelta(days=k * 3), batch=batch
            )
    activation_sellers_relink(activations=Activation.objects.all())
    activation_figures_compute(partner_ids=[p.pk for p in partners])
    expected = sorted(ActivationFigure.objects.values_list(*FIELDS))
    ActivationFigure.objects.all().delete()
    worker = Worker("activations")
    try:
        refresh_figures.delay([p.pk for p in partners])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and ActivationFigure.objects.count() < len(expected):
            time.sleep(0.3)
        assert sorted(ActivationFigure.objects.values_list(*FIELDS)) == expected, worker.output()
    finally:
        worker.stop()
