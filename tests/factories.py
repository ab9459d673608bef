"""factory_boy factories for every model; tests build their data from these."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role, User
from catalog.models import Product, ProductLine
from customers.models import Customer
from deals.models import DealEvent, DealLine, DealRegistration, DealStatus
from inventory.models import InventoryReport
from partners.models import Certification, Partner, Program, Region, Tier
from support.models import Severity, Ticket, TicketCategory, TicketStatus
from warranty.models import FailureCode, WarrantyClaim


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("name",)

    name = "Standard program"
    deal_protection_days = 90
    extension_days = 30
    is_default = True


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("name",)

    name = factory.Iterator(["Gold", "Silver", "Bronze"])
    rank = factory.LazyAttribute(lambda o: {"Platinum": 0, "Gold": 1, "Silver": 2, "Bronze": 3}.get(o.name, 9))


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n:04d}")
    partner_type = Partner.Type.RESELLER
    tier = factory.SubFactory(TierFactory, name="Gold")
    program = factory.SubFactory(ProgramFactory)
    status = Partner.Status.ACTIVE
    region = factory.SubFactory(RegionFactory, code="emea")
    country = "DE"
    joined_on = factory.LazyFunction(lambda: date.today() - timedelta(days=400))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)
        if create:
            self.save()


class ManagerFactory(UserFactory):
    role = Role.CHANNEL_MANAGER
    is_staff = False


class PartnerAdminFactory(UserFactory):
    role = Role.PARTNER_ADMIN
    partner = factory.SubFactory(PartnerFactory)


class PartnerUserFactory(UserFactory):
    role = Role.PARTNER_USER
    partner = factory.SubFactory(PartnerFactory)


class ProductLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductLine
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"line-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.LazyAttribute(lambda o: f"Product {o.sku}")
    product_line = factory.SubFactory(ProductLineFactory, code="network")
    list_price = Decimal("1000.00")
    warranty_months = 12


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n} GmbH")
    domain = factory.Sequence(lambda n: f"customer{n}.example")
    country = "DE"
    industry = Customer.Industry.MANUFACTURING


class DealFactory(factory.django.DjangoModelFactory):
    """A submitted registration with one line; pass `status` and timestamps for other states."""

    class Meta:
        model = DealRegistration
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"DR-2026-{n:06d}")
    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    status = DealStatus.SUBMITTED
    amount = Decimal("0")
    currency = "USD"
    expected_close_date = factory.LazyFunction(lambda: date.today() + timedelta(days=60))
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        """`lines=[(product, qty, price), …]`; by default one line of a new product."""
        if not create:
            return
        specs = extracted if extracted is not None else [(ProductFactory(), 2, Decimal("500.00"))]
        total = Decimal("0")
        for product, quantity, price in specs:
            DealLine.objects.create(deal=self, product=product, quantity=quantity, unit_price=price)
            total += quantity * Decimal(price)
        if total != self.amount:
            self.amount = total
            self.save(update_fields=["amount"])


class DealEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealEvent

    deal = factory.SubFactory(DealFactory)
    at = factory.LazyFunction(timezone.now)
    from_status = DealStatus.DRAFT
    to_status = DealStatus.SUBMITTED


class InventoryReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventoryReport

    partner = factory.SubFactory(PartnerFactory)
    product = factory.SubFactory(ProductFactory)
    date = factory.LazyFunction(date.today)
    on_hand = 10
    units_sold = 5
    on_order = 0


class FailureCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FailureCode
        django_get_or_create = ("code",)

    code = "PSU"
    description = "Power supply failure"


class WarrantyClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarrantyClaim

    reference = factory.Sequence(lambda n: f"WC-2026-{n:06d}")
    partner = factory.SubFactory(PartnerFactory, partner_type=Partner.Type.SERVICE_PARTNER)
    product = factory.SubFactory(ProductFactory)
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    purchase_date = factory.LazyFunction(lambda: date.today() - timedelta(days=100))
    failure_date = factory.LazyFunction(lambda: date.today() - timedelta(days=5))
    failure_code = factory.SubFactory(FailureCodeFactory)
    parts_amount = Decimal("120.00")
    labour_amount = Decimal("80.00")
    claimed_amount = factory.LazyAttribute(lambda o: o.parts_amount + o.labour_amount)
    submitted_at = factory.LazyFunction(timezone.now)


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    partner = factory.SubFactory(PartnerFactory)
    name = "Network Associate"
    earned_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: date.today() + timedelta(days=335))


class TicketCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketCategory
        django_get_or_create = ("code",)

    code = "hardware-fault"
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())


class TicketFactory(factory.django.DjangoModelFactory):
    """A new ticket opened now with the default medium targets; pass status and times for other states."""

    class Meta:
        model = Ticket

    reference = factory.Sequence(lambda n: f"ST-1999-{n:06d}")  # apart from the numbers services hand out
    partner = factory.SubFactory(PartnerFactory)
    product = factory.SubFactory(ProductFactory)
    category = factory.SubFactory(TicketCategoryFactory)
    severity = Severity.MEDIUM
    subject = factory.Sequence(lambda n: f"Unit {n} reboots")
    description = "Reboots every hour."
    status = TicketStatus.NEW
    opened_at = factory.LazyFunction(timezone.now)
    first_response_due_at = factory.LazyAttribute(lambda o: o.opened_at + timedelta(hours=8))
    resolution_due_at = factory.LazyAttribute(lambda o: o.opened_at + timedelta(hours=120))
    last_activity_at = factory.LazyAttribute(lambda o: o.opened_at)


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ingest.ImportBatch"

    partner = factory.SubFactory(PartnerFactory)
    channel = "api"
    kind = "sellout"


class SellOutLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sellout.SellOutLine"

    reporter = factory.SubFactory(PartnerFactory)
    invoice_number = factory.Sequence(lambda n: f"INV-{n:06d}")
    invoice_line = 1
    date = factory.LazyFunction(lambda: date.today() - timedelta(days=3))
    transaction_type = "sale"
    product = factory.SubFactory(ProductFactory)
    quantity = 2
    unit_price = Decimal("100.00")
    currency = "USD"
    source = "api"


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "currencies.ExchangeRate"

    currency = "EUR"
    date = factory.LazyFunction(date.today)
    granularity = "day"
    rate = Decimal("1.1")


class ActivationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activations.Activation"

    product = factory.SubFactory(ProductFactory)
    kind = "serial"
    identifier = factory.Sequence(lambda n: f"SN-{n:08d}")
    activated_on = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    units = 1
    batch = factory.SubFactory(ImportBatchFactory, partner=None, kind="activations")


class UsageRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activations.UsageRecord"

    activation = factory.SubFactory(ActivationFactory)
    month = factory.LazyFunction(lambda: date.today().replace(day=1))
    active_units = 1
    usage = Decimal("10.00")
    usage_unit = "hours"
    batch = factory.SubFactory(ImportBatchFactory, partner=None, kind="usage")
