"""The permission matrix: every URL and every API operation, for every role, over two partners.

Two resellers in different regions registered the same customer (a channel conflict between them), a
distributor supplies one of them, and every kind of data exists: deals with their history, claims,
inventory and uploads, notifications, webhooks and deliveries, tokens, and the analytics tables computed
by the real services. Each role then requests every URL pattern of the URLconf and every operation of the
OpenAPI schema, with the path filled with real ids of both partners' objects, and the answer must not
carry the other side's identifying strings (partner, customer and user names, references, webhook URLs),
whatever its status. Pages are also asked for their exports (`?export=csv|xlsx`, also filtered), their charts' CSV
(`?download=`), sorted past their last page and filtered by the other partner; writes are sent and rolled back.

Every URL name must be declared in `SCOPES` (who may enter, and which objects its path parameters name):
a new URL fails `test_every_url_and_operation_declares_its_scope` until it is declared here, and the
declared scope is checked, not only recorded (a role outside it must be refused).
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import product
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from activations.figures import activation_figures_compute
from activations.models import Activation, UsageRecord
from activations.services import activations_upsert, usage_upsert
from analytics import services as analytics_services
from analytics.models import (
    DataQualityScore,
    EcosystemHealth,
    JobRun,
    KpiSnapshot,
    PartnerHealthScore,
    ProductFeedbackMonth,
    UnconvertedAmount,
)
from currencies.services import rate_upload_create
from deals.models import LossReason
from deals.services import deal_approve, deal_close, deal_create
from edi.models import EdiImport, ProductActivity, ReportingLocation
from edi.services import edi_import_create
from ingest.models import ImportBatch
from ingest.services import import_batch_open
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from integrations.tokens import api_token_create
from integrations.webhooks import webhook_endpoint_create
from inventory.imports import import_job_create
from inventory.models import ImportJob, InventoryReport
from inventory.services import inventory_upsert
from notifications.models import Notification
from sellout.imports import sellout_upload_create
from sellout.models import EndCustomerCandidate, SellOutLine, SellOutSerial
from sellout.services import sellout_lines_upsert
from support.models import SlaPolicy
from support.services import ticket_comment, ticket_open, ticket_transition
from tests import factories as f
from tests.edi.builders import interchange
from warranty.services import claim_approve, claim_create

# --- who may enter ------------------------------------------------------------------------------------

PUBLIC = "public"  # anyone, signed in or not (login, API schema and docs)
TOKEN_LINK = "token_link"  # anyone holding the emailed link (set-password)
SIGNED_IN = "signed_in"  # any signed-in user; shows only the user's own things
MANAGER = "manager"  # /manage/: channel managers and superusers; partner data through the visibility rule
PORTAL = "portal"  # /portal/: partner admins and users; their partner (a distributor reads its resellers')
PORTAL_ADMIN = "portal_admin"  # partner admins only
ADMIN = "admin"  # Django's admin: superusers (staff)
API = "api"  # the REST API with a token: every row through the visibility rule; 401 without credentials
API_PUBLIC = "api_public"  # the schema and its documentation pages

ROLES = ("superuser", "manager", "regional", "admin_a", "user_a", "distributor", "anonymous")
SIGNED_IN_ROLES = frozenset(ROLES) - {"anonymous"}
ENTERS: dict[str, frozenset[str]] = {
    PUBLIC: frozenset(ROLES),
    TOKEN_LINK: frozenset(ROLES),
    API_PUBLIC: frozenset(ROLES),
    SIGNED_IN: SIGNED_IN_ROLES,
    API: SIGNED_IN_ROLES,
    MANAGER: frozenset({"superuser", "manager", "regional"}),
    PORTAL: frozenset({"admin_a", "user_a", "distributor"}),
    PORTAL_ADMIN: frozenset({"admin_a", "distributor"}),
    ADMIN: frozenset({"superuser"}),
}


@dataclass(frozen=True)
class Declared:
    """A URL's scope, and for each path parameter the group of objects (of both partners) to fill it with."""

    scope: str
    params: dict[str, str] = field(default_factory=dict)
    post: bool = True  # also POST an empty body (rolled back); False where that would end the session
    queries: tuple[str, ...] = ()  # more query strings to ask, e.g. a lookup's searches for each side's names


def _d(scope: str, post: bool = True, queries: tuple[str, ...] = (), **params: str) -> Declared:
    return Declared(scope, params, post, queries)


# A picker's lookup is asked for every side's names and domains: it must find only what the role may see.
LOOKUP_QUERIES = (
    "?q=zyxwv",
    "?q=qwertz",
    "?q=plinkr",
    "?q=overlap",
    "?q=mx",
    "?type=distributor",
    "?q=a&type=distributor",
)


# One entry per URL name. API routes share their name across methods; the schema's operations are
# resolved to these names, so every operation is declared through its route.
SCOPES: dict[str, Declared] = {
    # core
    "home": _d(SIGNED_IN),
    "login": _d(PUBLIC),
    "logout": _d(PUBLIC, post=False),
    "no_role": _d(PUBLIC),  # a static page telling a user without a role whom to ask
    "manage_home": _d(MANAGER),
    "portal_home": _d(PORTAL),
    # partners and dashboards
    "dashboards:partner_list": _d(MANAGER),
    "dashboards:partner_detail": _d(MANAGER, pk="partner"),
    "dashboards:inventory": _d(MANAGER),
    "dashboards:warranty": _d(MANAGER),
    "dashboards:product_list": _d(MANAGER),
    "dashboards:product_detail": _d(MANAGER, pk="product"),
    "dashboards:sellout": _d(MANAGER),
    "dashboards:support": _d(MANAGER),
    "dashboards:portal_scorecard": _d(PORTAL),
    "dashboards:data_quality_list": _d(MANAGER),
    "dashboards:portal_data_quality": _d(PORTAL),
    # accounts
    "accounts:user_list": _d(PORTAL_ADMIN),
    "accounts:user_invite": _d(PORTAL_ADMIN),
    "accounts:user_deactivate": _d(PORTAL_ADMIN, pk="user"),
    "accounts:user_reactivate": _d(PORTAL_ADMIN, pk="user"),
    "accounts:user_role": _d(PORTAL_ADMIN, pk="user"),
    "accounts:user_resend": _d(PORTAL_ADMIN, pk="user"),
    "accounts:set_password": _d(TOKEN_LINK, uidb64="uid", token="password_token"),
    "accounts:set_password_done": _d(PUBLIC),
    "accounts:password_change": _d(SIGNED_IN),
    "accounts:password_change_done": _d(SIGNED_IN),
    "accounts:password_reset": _d(PUBLIC),
    "accounts:password_reset_done": _d(PUBLIC),
    "favicon": _d(PUBLIC),
    # deals
    "deals:deal_list": _d(PORTAL),
    "deals:deal_create": _d(PORTAL),
    "deals:deal_detail": _d(PORTAL, pk="deal"),
    "deals:deal_edit": _d(PORTAL, pk="deal"),
    "deals:deal_submit": _d(PORTAL, pk="deal"),
    "deals:deal_withdraw": _d(PORTAL, pk="deal"),
    "deals:deal_request_extension": _d(PORTAL, pk="deal"),
    "deals:deal_close": _d(PORTAL, pk="deal"),
    "deals:manage_deal_list": _d(MANAGER),
    "deals:manage_queue": _d(MANAGER),
    "deals:manage_deal_detail": _d(MANAGER, pk="deal"),
    "deals:manage_deal_conflicts": _d(MANAGER, pk="deal"),
    "deals:manage_deal_approve": _d(MANAGER, pk="deal"),
    "deals:manage_deal_reject": _d(MANAGER, pk="deal"),
    "deals:manage_deal_extend": _d(MANAGER, pk="deal"),
    # inventory
    "inventory:inventory_list": _d(PORTAL),
    "inventory:inventory_report": _d(PORTAL),
    "inventory:inventory_template": _d(PORTAL),
    "inventory:inventory_upload": _d(PORTAL),
    "inventory:import_list": _d(PORTAL),
    "inventory:import_detail": _d(PORTAL, pk="import_job"),
    "inventory:import_run": _d(PORTAL, pk="import_job"),
    "inventory:import_errors": _d(PORTAL, pk="import_job"),
    "inventory:import_resume": _d(PORTAL, pk="import_job"),
    "inventory:manage_inventory_list": _d(MANAGER),
    "inventory:manage_import_list": _d(MANAGER),
    "inventory:manage_import_detail": _d(MANAGER, pk="import_job"),
    "inventory:manage_import_resume": _d(MANAGER, pk="import_job"),
    # sell-out
    "sellout:line_list": _d(PORTAL),
    "sellout:line_detail": _d(PORTAL, pk="sellout_line"),
    "sellout:template": _d(PORTAL),
    "sellout:example": _d(PORTAL),
    "sellout:upload": _d(PORTAL),
    "sellout:upload_list": _d(PORTAL),
    "sellout:upload_detail": _d(PORTAL, pk="sellout_upload"),
    "sellout:upload_run": _d(PORTAL, pk="sellout_upload"),
    "sellout:upload_resume": _d(PORTAL, pk="sellout_upload"),
    "sellout:upload_errors": _d(PORTAL, pk="sellout_upload"),
    "sellout:reconciliation": _d(PORTAL),
    "sellout:manage_line_list": _d(MANAGER),
    "sellout:manage_line_detail": _d(MANAGER, pk="sellout_line"),
    "sellout:manage_batch_list": _d(MANAGER),
    "sellout:manage_batch_detail": _d(MANAGER, pk="sellout_batch"),
    "sellout:manage_batch_revert": _d(MANAGER, pk="sellout_batch"),
    "sellout:manage_candidate_list": _d(MANAGER),
    "sellout:manage_candidate_detail": _d(MANAGER, pk="sellout_candidate"),
    "sellout:manage_candidate_create": _d(MANAGER, pk="sellout_candidate"),
    "sellout:manage_candidate_link": _d(MANAGER, pk="sellout_candidate"),
    "sellout:manage_reconciliation": _d(MANAGER),
    # warranty
    "warranty:claim_list": _d(PORTAL),
    "warranty:claim_create": _d(PORTAL),
    "warranty:claim_detail": _d(PORTAL, pk="claim"),
    "warranty:manage_claim_list": _d(MANAGER),
    "warranty:manage_claim_detail": _d(MANAGER, pk="claim"),
    # support
    "support:ticket_list": _d(PORTAL),
    "support:ticket_create": _d(PORTAL),
    "support:ticket_detail": _d(PORTAL, pk="ticket"),
    "support:manage_ticket_list": _d(MANAGER),
    "support:manage_ticket_detail": _d(MANAGER, pk="ticket"),
    # exchange rates: the channel team keeps them
    "currencies:rate_overview": _d(MANAGER),
    "currencies:rate_list": _d(MANAGER),
    "currencies:rate_template": _d(MANAGER),
    "currencies:rate_upload": _d(MANAGER),
    "currencies:rate_upload_detail": _d(MANAGER, pk="rate_upload"),
    "currencies:rate_upload_import": _d(MANAGER, pk="rate_upload"),
    # activations
    "activations:manage_rates": _d(MANAGER),
    # EDI intake
    "edi:upload": _d(PORTAL),
    "edi:import_list": _d(PORTAL),
    "edi:import_detail": _d(PORTAL, pk="edi_import"),
    "edi:import_errors": _d(PORTAL, pk="edi_import"),
    "edi:activity_list": _d(PORTAL),
    "edi:manage_upload": _d(MANAGER),
    "edi:manage_import_list": _d(MANAGER),
    "edi:manage_import_detail": _d(MANAGER, pk="edi_import"),
    "edi:manage_import_errors": _d(MANAGER, pk="edi_import"),
    "edi:manage_activity_list": _d(MANAGER),
    "edi:manage_location_list": _d(MANAGER),
    # notifications
    "notifications:list": _d(SIGNED_IN),
    "notifications:mark_all_read": _d(SIGNED_IN),
    "notifications:mark_read": _d(SIGNED_IN, pk="notification"),
    "notifications:open": _d(SIGNED_IN, pk="notification"),
    # tokens and webhooks in the web app
    "integrations:api_settings": _d(SIGNED_IN),
    "integrations:token_revoke": _d(SIGNED_IN, pk="token"),
    "integrations:webhook_create": _d(SIGNED_IN),
    "integrations:webhook_detail": _d(SIGNED_IN, pk="endpoint"),
    "integrations:webhook_redeliver": _d(SIGNED_IN, pk="endpoint", delivery_pk="delivery"),
    # the pickers' lookups: any signed-in user, each answer through the visibility rule
    "lookup:products": _d(SIGNED_IN, queries=LOOKUP_QUERIES),
    "lookup:customers": _d(SIGNED_IN, queries=LOOKUP_QUERIES),
    "lookup:partners": _d(SIGNED_IN, queries=LOOKUP_QUERIES),
    "lookup:countries": _d(SIGNED_IN, queries=LOOKUP_QUERIES),
    # the API
    "api-root": _d(API),
    "schema": _d(API_PUBLIC),
    "swagger-ui": _d(API_PUBLIC),
    "redoc": _d(API_PUBLIC),
    # the admin's own sign-in and sign-out pages (the rest of the admin: NAMESPACE_SCOPES)
    "admin:login": _d(PUBLIC),
    "admin:logout": _d(PUBLIC, post=False),
    "partners-api:partner-list": _d(API),
    "partners-api:partner-detail": _d(API, pk="partner"),
    "partners-api:region-list": _d(API),
    "partners-api:region-detail": _d(API, pk="region"),
    "partners-api:tier-list": _d(API),
    "partners-api:tier-detail": _d(API, pk="tier"),
    "partners-api:certification-list": _d(API),
    "partners-api:certification-detail": _d(API, pk="certification"),
    "catalog-api:product-list": _d(API),
    "catalog-api:product-detail": _d(API, pk="product"),
    "catalog-api:product-line-list": _d(API),
    "catalog-api:product-line-detail": _d(API, pk="product_line"),
    "customers-api:customer-list": _d(API),
    "customers-api:customer-detail": _d(API, pk="customer"),
    "deals-api:deal-list": _d(API),
    "deals-api:deal-bulk": _d(API),
    "deals-api:deal-detail": _d(API, pk="deal"),
    "deals-api:deal-approve": _d(API, pk="deal"),
    "deals-api:deal-close": _d(API, pk="deal"),
    "deals-api:deal-events": _d(API, pk="deal"),
    "deals-api:deal-extend": _d(API, pk="deal"),
    "deals-api:deal-reject": _d(API, pk="deal"),
    "deals-api:deal-request-extension": _d(API, pk="deal"),
    "deals-api:deal-submit": _d(API, pk="deal"),
    "deals-api:deal-withdraw": _d(API, pk="deal"),
    "deals-api:loss-reason-list": _d(API),
    "deals-api:loss-reason-detail": _d(API, pk="loss_reason"),
    "inventory-api:inventory-list": _d(API),
    "inventory-api:inventory-bulk": _d(API),
    "inventory-api:inventory-detail": _d(API, pk="inventory"),
    "sellout-api:sellout-list": _d(API),
    "sellout-api:sellout-detail": _d(API, pk="sellout_line"),
    "warranty-api:claim-list": _d(API),
    "warranty-api:claim-bulk": _d(API),
    "warranty-api:claim-detail": _d(API, pk="claim"),
    "warranty-api:claim-approve": _d(API, pk="claim"),
    "warranty-api:claim-events": _d(API, pk="claim"),
    "warranty-api:claim-pay": _d(API, pk="claim"),
    "warranty-api:claim-reject": _d(API, pk="claim"),
    "warranty-api:claim-review": _d(API, pk="claim"),
    "warranty-api:failure-code-list": _d(API),
    "warranty-api:failure-code-detail": _d(API, pk="failure_code"),
    "activations-api:activation-list": _d(API),
    "activations-api:activation-detail": _d(API, pk="activation"),
    "activations-api:usage-list": _d(API),
    "activations-api:usage-detail": _d(API, pk="usage"),
    "support-api:ticket-list": _d(API),
    "support-api:ticket-detail": _d(API, pk="ticket"),
    "support-api:ticket-comments": _d(API, pk="ticket"),
    "support-api:ticket-events": _d(API, pk="ticket"),
    "support-api:ticket-start": _d(API, pk="ticket"),
    "support-api:ticket-wait-on-partner": _d(API, pk="ticket"),
    "support-api:ticket-wait-on-vendor": _d(API, pk="ticket"),
    "support-api:ticket-resolve": _d(API, pk="ticket"),
    "support-api:ticket-close": _d(API, pk="ticket"),
    "support-api:ticket-reopen": _d(API, pk="ticket"),
    "support-api:ticket-category-list": _d(API),
    "support-api:ticket-category-detail": _d(API, pk="ticket_category"),
    "support-api:sla-policy-list": _d(API),
    "support-api:sla-policy-detail": _d(API, pk="sla_policy"),
    "notifications-api:notification-list": _d(API),
    "notifications-api:notification-read-all": _d(API),
    "notifications-api:notification-detail": _d(API, pk="notification"),
    "notifications-api:notification-read": _d(API, pk="notification"),
    "analytics-api:kpi-snapshot-list": _d(API),
    "analytics-api:kpi-snapshot-benchmarks": _d(API),
    "analytics-api:kpi-snapshot-detail": _d(API, pk="kpi"),
    "analytics-api:health-score-list": _d(API),
    "analytics-api:health-score-detail": _d(API, pk="health"),
    "analytics-api:data-quality-list": _d(API),
    "analytics-api:data-quality-detail": _d(API, pk="data_quality"),
    "analytics-api:ecosystem-health-list": _d(API),
    "analytics-api:ecosystem-health-detail": _d(API, pk="ecosystem_health"),
    "analytics-api:analytics-job-list": _d(API),
    "analytics-api:analytics-job-detail": _d(API, pk="job"),
    "analytics-api:product-feedback-list": _d(API),
    "analytics-api:product-feedback-detail": _d(API, pk="product_feedback"),
    "analytics-api:unconverted-amount-list": _d(API),
    "analytics-api:unconverted-amount-detail": _d(API, pk="unconverted"),
    "currencies-api:rate-list": _d(API),
    "currencies-api:rate-bulk": _d(API),
    "currencies-api:rate-detail": _d(API, pk="rate"),
    "analytics-api:sellout-group-list": _d(API),
    "integrations-api:token-list": _d(API),
    "integrations-api:token-detail": _d(API, pk="token"),
    "integrations-api:webhook-list": _d(API),
    "integrations-api:webhook-detail": _d(API, pk="endpoint"),
    "integrations-api:webhook-rotate-secret": _d(API, pk="endpoint"),
    "integrations-api:webhook-delivery-list": _d(API),
    "integrations-api:webhook-delivery-detail": _d(API, pk="delivery"),
    "integrations-api:webhook-delivery-redeliver": _d(API, pk="delivery"),
    "edi-api:edi-import-list": _d(API),
    "edi-api:edi-import-detail": _d(API, pk="edi_import"),
}
# Django's admin is one application with one rule (staff with model permissions); its URLs are many.
NAMESPACE_SCOPES: dict[str, str] = {"admin": ADMIN}

# Distinctive strings of each side. Partner B is in the other region; D supplies A.
A_NAME, B_NAME, D_NAME = "Qwertz Visible Partner", "Zyxwv Hidden Partner", "Plinkr Visible Distributor"
SHARED_DOMAIN = "overlap-zone.example"


# --- the data set (built once for the module) -----------------------------------------------------------


@dataclass
class Matrix:
    users: dict[str, Any]
    groups: dict[str, list[Any]]  # object group → objects of both sides, for path parameters
    forbidden: dict[str, set[str]]  # role → strings its answers must not contain
    b: Any
    conflict_a: Any
    conflict_b: Any
    tokens: dict[str, str] = field(default_factory=dict)


def _build() -> Matrix:
    north = f.RegionFactory(code="north", name="Northia")
    south = f.RegionFactory(code="south", name="Southia")
    gold = f.TierFactory(name="Gold")
    line = f.ProductLineFactory(code="matrix-network", name="Matrix Network")
    switch = f.ProductFactory(sku="MX-SW-1", product_line=line)
    code = f.FailureCodeFactory(code="MXPSU")
    d = f.PartnerFactory(name=D_NAME, partner_type="distributor", region=north, tier=gold, country="DE")
    a = f.PartnerFactory(name=A_NAME, region=north, tier=gold, parent=d, country="DE")
    # A distributor of its own, so that a "Distributor" choice list offering it would show here.
    b = f.PartnerFactory(name=B_NAME, partner_type="distributor", region=south, tier=gold, country="BR")
    users = {
        "superuser": f.UserFactory(username="matrix-root", is_superuser=True, is_staff=True),
        "manager": f.ManagerFactory(username="matrix-manager"),
        "regional": f.ManagerFactory(username="matrix-north", regions=[north]),
        "south": f.ManagerFactory(username="matrix-south", regions=[south]),
        "admin_a": f.PartnerAdminFactory(username="qwertz-admin", partner=a),
        "user_a": f.PartnerUserFactory(username="qwertz-user", partner=a),
        "distributor": f.PartnerAdminFactory(username="plinkr-admin", partner=d),
        "admin_b": f.PartnerAdminFactory(username="zyxwv-admin", partner=b, email="zyxwv-admin@zyxwv.example"),
        "user_b": f.PartnerUserFactory(username="zyxwv-user", partner=b, email="zyxwv-user@zyxwv.example"),
    }
    close = date.today() + timedelta(days=40)
    lines = [{"product": switch, "quantity": 3, "unit_price": Decimal("250.00")}]

    def register(user, name: str, domain: str, notes: str = ""):
        customer = f.CustomerFactory(name=name, domain=domain, country="DE")
        return deal_create(
            partner=user.partner, user=user, customer=customer, lines=lines, expected_close_date=close, notes=notes
        )

    # B registers first; A's registration of the same customer (same domain) conflicts with it.
    conflict_b = register(users["admin_b"], "Zyxwv Hidden Customer Ltd", SHARED_DOMAIN, "Zyxwv secret pricing")
    conflict_a = register(users["admin_a"], "Qwertz Buyer GmbH", SHARED_DOMAIN)
    assert conflict_a.has_conflict
    second_b = register(users["user_b"], "Zyxwv Second Customer", "zyxwv-second.example")
    deal_approve(deal=second_b, user=users["south"])
    deal_close(deal=second_b, user=users["admin_b"], won=True)
    second_a = register(users["user_a"], "Qwertz Second Buyer", "qwertz-second.example")
    deal_approve(deal=second_a, user=users["regional"])
    deal_close(deal=second_a, user=users["admin_a"], won=True)
    own_d = register(users["distributor"], "Plinkr Own Customer", "plinkr-own.example")
    deal_approve(deal=own_d, user=users["regional"])

    def claim(user, customer_name: str, serial: str):
        return claim_create(
            partner=user.partner,
            user=user,
            product=switch,
            serial_number=serial,
            purchase_date=date.today() - timedelta(days=60),
            failure_date=date.today() - timedelta(days=2),
            failure_code=code,
            parts_amount="80.00",
            labour_amount="20.00",
            customer=f.CustomerFactory(name=customer_name, domain=""),
            description=f"{customer_name} unit failed",
        )

    claim_a = claim(users["admin_a"], "Qwertz Claim Customer", "QW-0001")
    claim_b = claim(users["admin_b"], "Zyxwv Claim Customer", "ZY-0001")
    claim_approve(claim=claim_a, user=users["regional"])
    claim_approve(claim=claim_b, user=users["south"])

    # Support tickets on both sides, linked to their own claims and deals, with a public comment and an
    # internal note each; B's is resolved and reopened. A's internal note must never reach A's users.
    hardware = f.TicketCategoryFactory(code="hardware-fault")

    def ticket(user, customer_name: str, claim, deal, manager):
        opened = ticket_open(
            partner=user.partner,
            user=user,
            product=switch,
            category=hardware,
            severity="high",
            subject=f"{customer_name} switch reboots",
            description=f"{customer_name} reports reboots",
            customer_name=customer_name,
            warranty_claim=claim,
            deal=deal,
        )
        ticket_comment(ticket=opened, user=manager, body=f"{customer_name} public answer")
        ticket_comment(ticket=opened, user=manager, body=f"{customer_name} vendor internal note", internal=True)
        return opened

    ticket_a = ticket(users["admin_a"], "Qwertz Ticket Customer", claim_a, second_a, users["regional"])
    ticket_b = ticket(users["admin_b"], "Zyxwv Ticket Customer", claim_b, second_b, users["south"])
    ticket_transition(ticket=ticket_b, user=users["south"], to_status="resolved")
    ticket_transition(ticket=ticket_b, user=users["admin_b"], to_status="in_progress", note="Zyxwv reopen reason")

    yesterday = date.today() - timedelta(days=1)
    for who in ("admin_a", "admin_b", "distributor"):
        row = {"product": switch, "date": yesterday, "on_hand": 30, "units_sold": 12, "on_order": 0}
        inventory_upsert(partner=users[who].partner, user=users[who], rows=[row], source="portal")
    content = f"sku,date,on_hand,units_sold,on_order\nMX-SW-1,{yesterday},40,10,0\nNOPE-1,{yesterday},1,1,0\n"
    import_a = import_job_create(
        partner=a, user=users["admin_a"], filename="qwertz-stock.csv", content=content.encode()
    )
    import_b = import_job_create(partner=b, user=users["admin_b"], filename="zyxwv-stock.csv", content=content.encode())
    # Sell-out: A and B each report a line with an end customer nobody else knows (a candidate each); the
    # distributor reports a sale to A; each side uploads a file.
    sellout_rows = {
        "admin_a": {"end_customer_name": "Qwertz Sellout Buyer", "end_customer_domain": "qwertz-sellout.example"},
        "admin_b": {"end_customer_name": "Zyxwv Sellout Buyer", "end_customer_domain": "zyxwv-sellout.example"},
        "distributor": {"sold_to_partner": a, "sold_to_name": A_NAME},
    }
    for who, extra in sellout_rows.items():
        batch = import_batch_open(kind="sellout", channel="portal", partner=users[who].partner, user=users[who])
        sellout_row = {
            "invoice_number": f"{who.upper()}-INV-1",
            "invoice_line": 1,
            "date": yesterday,
            "transaction_type": "sale",
            "product": switch,
            "quantity": 4,
            "unit_price": Decimal("240.00"),
            "currency": "EUR",
            "serials": [],
            **extra,
        }
        sellout_lines_upsert(reporter=users[who].partner, rows=[sellout_row], batch=batch, user=users[who])
    sellout_csv = (
        f"invoice_number,invoice_line,date,sku,quantity,unit_price,currency\nUP-1,1,{yesterday},MX-SW-1,2,9.50,EUR\n"
    )
    sellout_uploads = [
        sellout_upload_create(
            partner=p, user=users[who], filename=f"{p.name[:6].lower()}-sellout.csv", content=sellout_csv.encode()
        )
        for p, who in ((a, "admin_a"), (b, "admin_b"))
    ]
    # EDI: each side's 852 for its own location (with a balance exception), and B's refused interchange.
    ReportingLocation.objects.create(qualifier="92", code="QWERTZ-LOC", partner=a, site_name="Qwertz Store")
    ReportingLocation.objects.create(qualifier="92", code="ZYXWV-LOC", partner=b, site_name="Zyxwv Secret Site")

    def edi(user, code: str, control: int, sku: str = "MX-SW-1"):
        body = [
            "XQ*H*20260101*20260131",
            f"N1*RL*{code} store*92*{code}",
            f"LIN**VN*{sku}",
            "ZA*QB*9*EA",
            "ZA*QS*2*EA",
            "ZA*QA*5*EA",
        ]
        return edi_import_create(
            user=user, content=interchange([body], control=control), source="portal", filename=f"{code.lower()}.edi"
        )

    edi_a = edi(users["admin_a"], "QWERTZ-LOC", 901)
    edi_b = edi(users["admin_b"], "ZYXWV-LOC", 902)
    edi_b_refused = edi(users["admin_b"], "ZYXWV-LOC", 903, sku="ZYXWV-NOPE")
    assert (edi_a.status, edi_b.status, edi_b_refused.status) == ("done", "done", "rejected")
    assert ProductActivity.objects.exceptions().count() == 2
    cert_a = f.CertificationFactory(partner=a, holder_name="Qwertz Holder")
    cert_b = f.CertificationFactory(partner=b, holder_name="Zyxwv Holder")

    endpoint_a = webhook_endpoint_create(
        user=users["admin_a"], url="https://qwertz-hook.example/in", events=["deal.won"]
    )
    endpoint_b = webhook_endpoint_create(
        user=users["admin_b"], url="https://zyxwv-hidden-hook.example/erp", events=["deal.won"]
    )
    endpoint_vendor_b = webhook_endpoint_create(
        user=users["south"], url="https://zyxwv-hidden-hook.example/crm", events=["deal.won"], partner=b
    )
    deliveries = [
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=f"evt-{endpoint.pk}",
            event_type="deal.won",
            partner=endpoint.partner,
            payload=f'{{"partner": "{endpoint.partner.name}"}}',
            status="failed",
            response_body=f"{endpoint.partner.name} receiver said no",
        )
        for endpoint in (endpoint_a, endpoint_b, endpoint_vendor_b)
    ]

    # Sell-out of both sides, so that the sell-out figures, pages and groups have content to leak.
    for reporter, country in ((a, "DE"), (b, "BR")):
        f.SellOutLineFactory(reporter=reporter, product=switch, end_customer_country=country)
        f.SellOutLineFactory(reporter=reporter, product=switch, transaction_type="return", quantity=1)
    # Units each side sold, activated and used (the vendor's delivery), and their stored figures.
    activation_batch = import_batch_open(kind="activations", channel="api", user=users["manager"])
    for partner, serial in ((a, "QWERTZ-SN-1"), (b, "ZYXWV-SN-1")):
        line = f.SellOutLineFactory(reporter=partner, product=switch, date=yesterday - timedelta(days=20))
        SellOutSerial.objects.create(line=line, product=switch, serial=serial)
    unit = {"product": switch, "kind": "serial", "activated_on": yesterday, "units": 1, "status": "active"}
    activation_rows = [{**unit, "identifier": s, "deactivated_on": None} for s in ("QWERTZ-SN-1", "ZYXWV-SN-1")]
    activations_upsert(rows=activation_rows, batch=activation_batch)
    usage_batch = import_batch_open(kind="usage", channel="api", user=users["manager"])
    usage_rows = [
        {
            "activation": unit,
            "month": yesterday.replace(day=1),
            "active_units": 1,
            "usage": Decimal(5),
            "usage_unit": "h",
        }
        for unit in Activation.objects.order_by("pk")
    ]
    usage_upsert(rows=usage_rows, batch=usage_batch)
    activation_figures_compute()

    with override_settings(PRM_ANALYTICS_HISTORY_MONTHS=2), TestCase.captureOnCommitCallbacks(execute=True):
        analytics_services.recompute_start(kind="full_recompute")
    job = JobRun.objects.latest("pk")
    assert job.status == "succeeded", job.error
    rate = f.ExchangeRateFactory(currency="EUR", date=date.today().replace(day=1), granularity="month")
    rate_upload = rate_upload_create(
        user=users["manager"],
        filename="rates.csv",
        content=b"currency,date,rate\nEUR,2000-01-03,1.1\nXX,2000-01-04,1\n",
    )
    unconverted = UnconvertedAmount.objects.create(
        run=job,
        kind="won",
        currency="GBP",
        month=date.today().replace(day=1),
        items=2,
        amount="10.00",
        computed_at=job.created_at,
    )

    kpi_rows = [
        KpiSnapshot.objects.filter(dimension=dimension, **lookup).order_by("-period_start").first()
        for dimension, lookup in (
            ("partner", {"partner": a}),
            ("partner", {"partner": b}),
            ("partner", {"partner": d}),
            ("ecosystem", {}),
            ("tier", {}),
            ("partner_type", {}),
            ("region", {"key": str(north.pk)}),
            ("region", {"key": str(south.pk)}),
            ("product_line", {}),
        )
    ]
    notifications = {
        who: Notification.objects.filter(recipient=users[who]).first()
        for who in ("admin_a", "user_a", "admin_b", "user_b", "regional", "south", "manager", "distributor")
    }
    groups: dict[str, list[Any]] = {
        "partner": [a, b, d],
        "user": [users["admin_a"], users["user_a"], users["admin_b"], users["user_b"], users["distributor"]],
        "deal": [conflict_a, conflict_b, second_a, second_b, own_d],
        "claim": [claim_a, claim_b],
        "ticket": [ticket_a, ticket_b],
        "ticket_category": [hardware],
        "sla_policy": [
            SlaPolicy.objects.get_or_create(severity="high", first_response_hours=4, resolution_hours=72)[0]
        ],
        "import_job": [import_a, import_b],
        "sellout_line": list(SellOutLine.objects.order_by("pk")),
        "sellout_upload": sellout_uploads,
        "sellout_batch": list(ImportBatch.objects.filter(kind="sellout").order_by("pk")),
        "sellout_candidate": list(EndCustomerCandidate.objects.order_by("pk")),
        "edi_import": [edi_a, edi_b, edi_b_refused],
        "inventory": list(InventoryReport.objects.order_by("pk")),
        "certification": [cert_a, cert_b],
        "customer": [conflict_a.customer, conflict_b.customer, claim_a.customer, claim_b.customer, own_d.customer],
        "notification": [n for n in notifications.values() if n is not None],
        "endpoint": [endpoint_a, endpoint_b, endpoint_vendor_b],
        "delivery": deliveries,
        "kpi": [row for row in kpi_rows if row is not None],
        "health": list(PartnerHealthScore.objects.filter(is_current=True, partner__in=[a, b, d])),
        "ecosystem_health": list(EcosystemHealth.objects.filter(is_current=True)),
        "data_quality": list(DataQualityScore.objects.filter(partner__in=[a, b, d])),
        "job": [job],
        "product_feedback": list(ProductFeedbackMonth.objects.order_by("region_id", "pk")[:4]),
        "rate": [rate],
        "rate_upload": [rate_upload],
        "unconverted": [unconverted],
        "region": [north, south],
        "tier": [gold],
        "product": [switch],
        "product_line": [line],
        "failure_code": [code],
        "loss_reason": list(LossReason.objects.filter(code__in=["price", "other"])),
        "activation": list(Activation.objects.order_by("pk")),
        "usage": list(UsageRecord.objects.order_by("pk")),
        "uid": [urlsafe_base64_encode(str(users["admin_b"].pk).encode())],
        "password_token": ["not-a-valid-token"],
    }
    tokens = {
        who: api_token_create(user=users[who], name=f"{who} matrix token").plaintext
        for who in ("superuser", "manager", "regional", "admin_a", "user_a", "distributor", "admin_b")
    }
    groups["token"] = list(ApiToken.objects.filter(user__in=[users["admin_a"], users["admin_b"]]))
    for name, objects in groups.items():
        assert objects, f"no {name} in the data set"

    b_side = {"zyxwv", second_b.reference, claim_b.reference, "ADMIN_B-INV-1", ticket_b.reference}
    d_own = {"Plinkr Own Customer", own_d.reference, "DISTRIBUTOR-INV-1"}
    a_claims = {"Qwertz Claim Customer", claim_a.reference, "Qwertz Holder", ticket_a.reference, "Qwertz Ticket"}
    # Vendor-only notes: never shown to anyone on a partner's side, whatever the page or export.
    internal_notes = {"Qwertz Ticket Customer vendor internal note", "Zyxwv Ticket Customer vendor internal note"}
    everything = b_side | d_own | a_claims | {"qwertz", "plinkr", conflict_a.reference, conflict_b.reference}
    forbidden = {
        "superuser": set(),
        "manager": set(),
        # A manager of A's region may read the other side of the conflict as a reference only.
        "regional": set(b_side),
        "admin_a": b_side | d_own | internal_notes | {conflict_b.reference},
        "user_a": b_side | d_own | internal_notes | {conflict_b.reference},
        # The distributor reads A's deals and stock, not A's claims, tickets, certifications or the other side.
        "distributor": b_side | a_claims | internal_notes | {conflict_b.reference},
        "anonymous": everything,
    }
    return Matrix(
        users=users,
        groups=groups,
        forbidden=forbidden,
        b=b,
        conflict_a=conflict_a,
        conflict_b=conflict_b,
        tokens=tokens,
    )


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker) -> Iterator[Matrix]:
    """Built once in a transaction that is rolled back after the module; each request is rolled back too."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


# --- walking the URLconf and the schema -------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name ("" for unnamed admin patterns)
    pattern: str  # the route as written, with converters
    namespace: str


def url_routes() -> list[Route]:
    """Every pattern of the URLconf, recursively, with its namespaced name."""

    def walk(patterns, prefix: str, namespace: str) -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
                yield Route(name, prefix + str(entry.pattern), namespace)

    return list(walk(get_resolver().url_patterns, "", ""))


@functools.cache
def schema_operations() -> tuple[tuple[str, str], ...]:
    """(method, path template) of every operation of the OpenAPI schema, as drf-spectacular generates it."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return tuple((method.upper(), path) for path, item in schema["paths"].items() for method in item)


def _route_name(path: str) -> str:
    """The URL name an operation's path resolves to."""
    match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def declared(route: Route) -> Declared | None:
    if route.name in SCOPES:
        return SCOPES[route.name]
    top = route.namespace.split(":")[0]
    return Declared(NAMESPACE_SCOPES[top]) if top in NAMESPACE_SCOPES else None


def test_every_url_and_operation_declares_its_scope(db):
    """A URL pattern or API operation without a declared scope fails here: declare it in SCOPES."""
    routes = url_routes()
    missing = sorted({r.name or r.pattern for r in routes if declared(r) is None})
    assert not missing, f"declare the scope of these URLs in SCOPES: {missing}"
    names = {r.name for r in routes}
    stale = sorted(set(SCOPES) - names)
    assert not stale, f"SCOPES names URLs that no longer exist: {stale}"
    operations = schema_operations()
    assert len(operations) > 60
    for method, path in operations:
        name = _route_name(path)
        assert name in SCOPES, f"{method} {path} resolves to {name!r}, which declares no scope"
        assert SCOPES[name].scope in (API, API_PUBLIC), (method, path, name)
        params = set(re.findall(r"\{([^}]+)\}", path)) - {"id"}
        assert params <= set(SCOPES[name].params), (method, path)


# --- requests ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    method: str
    url: str
    scope: str
    route: str


def _fill(pattern: str, values: dict[str, Any]) -> str:
    """The route with its parameters replaced (Django converters and the router's regex groups)."""
    url = pattern
    for name, value in values.items():
        url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url)
        url = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), url)
    url = url.replace("^", "").replace("$", "")
    return "/" + url


def _value(obj: Any) -> Any:
    return getattr(obj, "pk", obj)


def _param_sets(spec: Declared, groups: dict[str, list[Any]]) -> list[dict[str, Any]]:
    if not spec.params:
        return [{}]
    names = list(spec.params)
    if names == ["pk", "delivery_pk"]:  # a delivery of the endpoint named first
        return [{"pk": d.endpoint_id, "delivery_pk": d.pk} for d in groups["delivery"]]
    return [
        dict(zip(names, (_value(v) for v in combo), strict=True))
        for combo in product(*(groups[spec.params[n]] for n in names))
    ]


ADMIN_OBJECT = re.compile(r"^admin/(\w+)/(\w+)/<path:object_id>/")


def _admin_urls(pattern: str, matrix: Matrix) -> list[str]:
    """The admin's URLs with their parameters filled: each app's index, one object of each model."""
    if "(?P<url>" in pattern or "<int:content_type_id>" in pattern:
        return []  # the catch-all redirect and "view on site" (a redirect to a page walked above)
    apps_group = re.search(r"\(\?P<app_label>([^)]*)\)", pattern)
    if apps_group:
        return [_fill(pattern, {"app_label": label}) for label in apps_group.group(1).split("|")]
    if "<id>" in pattern:
        return [_fill(pattern, {"id": matrix.users["admin_b"].pk})]
    match = ADMIN_OBJECT.match(pattern)
    if not match:
        return [_fill(pattern, {})]
    model = apps.get_model(match.group(1), match.group(2))
    first = model._default_manager.order_by("pk").first()
    return [_fill(pattern, {"object_id": first.pk})] if first is not None else []


LIST_QUERIES = (
    "",
    "?export=csv",
    "?export=xlsx",
    "?partner={b}",
    "?parent={b}",
    "?region={south}",
    # An export asked with another side's filter, and a sorted page past the end (the last page is shown).
    "?region={south}&export=csv",
    "?sort=-partner&page=9999",
)
KPI_QUERIES = tuple(
    f"?dimension={d}" for d in ("partner", "ecosystem", "tier", "partner_type", "region", "product_line")
) + ("?partner={b}", "?partner={b}&granularity=year", "?partner={b}&period_start=2000-01-01")


def probes(matrix: Matrix) -> list[Probe]:
    """Every request of the walk (GET and, rolled back, the writes) for one role."""
    out: list[Probe] = []
    fills = {"b": matrix.b.pk, "south": matrix.groups["region"][1].pk}
    operations = schema_operations()
    in_schema = {_route_name(path) for _, path in operations}
    for route in url_routes():
        spec = declared(route)
        if route.name in in_schema:
            continue  # walked through the schema's operations below
        if route.namespace.split(":")[0] == "admin":
            urls = _admin_urls(route.pattern, matrix)
            out.extend(Probe("GET", url, spec.scope, route.name or route.pattern) for url in urls)
            continue
        for values in _param_sets(spec, matrix.groups):
            url = _fill(route.pattern, values)
            lists = not spec.params and spec.scope in (MANAGER, PORTAL, PORTAL_ADMIN, SIGNED_IN)
            queries = (LIST_QUERIES if lists else ("",)) + spec.queries
            out.extend(Probe("GET", url + q.format(**fills), spec.scope, route.name) for q in queries)
            if spec.post:
                out.append(Probe("POST", url, spec.scope, route.name))
    for method, path in operations:
        name = _route_name(path)
        spec = SCOPES[name]
        ids = matrix.groups[spec.params["pk"]] if "{id}" in path else [None]
        for obj in ids:
            url = path.replace("{id}", str(_value(obj))) if obj is not None else path
            queries = ("",)
            if method == "GET" and obj is None:
                queries = KPI_QUERIES if name == "kpi-snapshot-list" else ("", "?partner={b}")
                if name == "kpi-snapshot-benchmarks":
                    queries = tuple(
                        f"?partner={p.pk}&period_start={date.today().replace(day=1)}" for p in matrix.groups["partner"]
                    )
            out.extend(Probe(method, url + q.format(**fills), spec.scope, name) for q in queries)
    return out


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if raw[:2] == b"PK":  # an xlsx workbook: the text lives in its XML parts
        with zipfile.ZipFile(io.BytesIO(raw)) as workbook:
            raw = b"".join(workbook.read(part) for part in workbook.namelist() if part.endswith(".xml"))
    text = raw.decode("utf-8", "replace")
    return text + " " + response.get("Location", "")


def _chart_keys(response) -> list[str]:
    context = getattr(response, "context", None)
    if not context or "charts" not in context:
        return []
    return list(context["charts"].keys())


def _clients(matrix: Matrix, role: str) -> tuple[Client, APIClient]:
    page, api = Client(raise_request_exception=False), APIClient(raise_request_exception=False)
    if role != "anonymous":
        page.force_login(matrix.users[role])
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {matrix.tokens[role]}")
    return page, api


def _send(client, probe: Probe):
    """One request, rolled back whatever it wrote (the data set serves every role)."""
    with transaction.atomic():
        if probe.method == "GET":
            response = client.get(probe.url)
        elif isinstance(client, APIClient):
            response = getattr(client, probe.method.lower())(probe.url, {}, format="json")
        else:
            response = getattr(client, probe.method.lower())(probe.url, {})
        transaction.set_rollback(True)
    return response


def _refused(probe: Probe, role: str, status: int, response) -> bool:
    if role == "anonymous":
        if probe.scope in (API,):
            return status == 401
        return status in (302, 401, 403) and ("login" in response.get("Location", "") or status != 302)
    if probe.scope == ADMIN:
        return status == 302 and "/admin/login/" in response.get("Location", "")
    return status in (403, 404)


NO_THROTTLE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_answer_names_the_other_partner(matrix, role):
    page, api = _clients(matrix, role)
    forbidden = [s.lower() for s in matrix.forbidden[role]]
    failures: list[str] = []
    statuses: Counter = Counter()
    walk = probes(matrix)
    with override_settings(REST_FRAMEWORK=NO_THROTTLE):
        for probe in walk:
            is_api = probe.url.startswith("/api/v1/") and probe.scope == API
            client = api if is_api else page
            response = _send(client, probe)
            status = response.status_code
            statuses[status] += 1
            if status >= 500:
                failures.append(f"{probe.method} {probe.url}: {status}")
                continue
            if role not in ENTERS[probe.scope] and not _refused(probe, role, status, response):
                failures.append(f"{probe.method} {probe.url}: {status}, but {role} is outside scope {probe.scope}")
            texts = [_body(response)]
            if probe.method == "GET" and status == 200 and "?" not in probe.url:
                for key in _chart_keys(response):
                    download = _send(client, Probe("GET", f"{probe.url}?download={key}", probe.scope, probe.route))
                    statuses[download.status_code] += 1
                    texts.append(_body(download))
            for text in texts:
                lowered = text.lower()
                leaked = [s for s in forbidden if s in lowered]
                if leaked:
                    failures.append(f"{probe.method} {probe.url} ({status}) shows {role} {leaked}")
    assert not failures, "\n".join(failures[:60]) + f"\n({len(failures)} failures)"
    reached = statuses[200]
    assert reached > (5 if role == "anonymous" else 60), statuses  # real content, not only refusals


def test_the_data_set_exercises_the_rule(matrix, db):
    """The matrix would pass vacuously if the other side were unreachable; these answers show it is there."""
    regional, _ = _clients(matrix, "regional")
    conflict_page = regional.get(f"/manage/deals/{matrix.conflict_a.pk}/conflicts/").content.decode()
    assert matrix.conflict_b.reference in conflict_page and B_NAME not in conflict_page
    assert A_NAME in conflict_page
    manager, _ = _clients(matrix, "manager")
    everything = manager.get(f"/manage/deals/{matrix.conflict_a.pk}/conflicts/").content.decode()
    assert B_NAME in everything and "Zyxwv Hidden Customer Ltd" in everything
    # Both customers share a domain: the manager's lookup finds both, partner A's only its own.
    found = [row["text"] for row in manager.get("/lookup/customers/?q=overlap").json()["results"]]
    assert any("Zyxwv Hidden Customer" in text for text in found) and any("Qwertz Buyer" in text for text in found)
    admin_a, _ = _clients(matrix, "admin_a")
    found = [row["text"] for row in admin_a.get("/lookup/customers/?q=overlap").json()["results"]]
    assert len(found) == 1 and "Qwertz Buyer GmbH" in found[0]
    _, distributor_api = _clients(matrix, "distributor")
    deals = distributor_api.get("/api/v1/deals/").json()["results"]
    assert {row["partner_name"] for row in deals} == {A_NAME, D_NAME}
    assert Notification.objects.filter(recipient=matrix.users["regional"], verb="deal.conflict_detected").exists()
    assert ImportJob.objects.count() == 2 and WebhookEndpoint.objects.count() == 3
    assert KpiSnapshot.objects.filter(dimension="tier").exists()
    # Tickets: the channel team reads the internal notes that partners never get.
    ticket_a, ticket_b = matrix.groups["ticket"]
    page = manager.get(f"/manage/support/{ticket_b.pk}/").content.decode()
    assert "Zyxwv Ticket Customer vendor internal note" in page and "Zyxwv reopen reason" in page
    page = admin_a.get(f"/portal/support/{ticket_a.pk}/").content.decode()
    assert "Qwertz Ticket Customer public answer" in page and "internal note" not in page
    assert EdiImport.objects.count() == 3 and ReportingLocation.objects.count() == 2
