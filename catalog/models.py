"""The vendor's product catalog."""

from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel

from .gtin import normalise_gtin, validate_gtin


class ProductLine(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProductQuerySet":
        """The catalog is public to every signed-in user."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self


class Product(TimeStampedModel):
    sku = models.CharField("SKU", max_length=40, unique=True)
    name = models.CharField(max_length=200)
    product_line = models.ForeignKey(ProductLine, on_delete=models.PROTECT, related_name="products")
    list_price = models.DecimalField(max_digits=12, decimal_places=2)
    warranty_months = models.PositiveSmallIntegerField(default=12)
    is_active = models.BooleanField(default=True)
    gtin = models.CharField(
        "GTIN",
        max_length=14,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_gtin],
        help_text="UPC, EAN or GTIN-14 with its check digit; stored as 14 digits. Optional; unique when set.",
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(name="product_list_price_not_negative", condition=Q(list_price__gte=0)),
            models.CheckConstraint(
                name="product_gtin_fourteen_digits",
                condition=Q(gtin__isnull=True) | Q(gtin__regex=r"^[0-9]{14}$"),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.gtin == "":
            self.gtin = None
        elif self.gtin:
            self.gtin = normalise_gtin(self.gtin)

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"
