"""Shared model bases."""

from django.db import models


class TimeStampedModel(models.Model):
    """Adds created/updated times; every table that people edit has them."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
