"""Workers of activations (queue `analytics`, routed by name in settings): the stored figures and the links
to sell-out. Each task takes ids and calls one step; the steps replace what they write, so a retry is safe."""

from __future__ import annotations

from celery import shared_task

from .figures import activation_figures_compute
from .services import activations_relink_after_sellout


@shared_task(name="activations.tasks.refresh_figures")
def refresh_figures(partner_ids: list[int] | None = None) -> int:
    """Recompute the figures of these partners; with none (beat, nightly), re-link every activation to its
    seller and recompute every partner (the installed base moves into a new month without new data)."""
    if partner_ids is None:
        return activation_figures_compute(relink=True)
    return activation_figures_compute(partner_ids=partner_ids)


@shared_task(name="activations.tasks.relink_after_sellout")
def relink_after_sellout(batch_id: int | None, partner_id: int | None, reverted: bool = False) -> int:
    """Sell-out lines were written or reverted: re-link the activations concerned, then their figures."""
    return len(activations_relink_after_sellout(batch_id=batch_id, partner_id=partner_id, reverted=reverted))
