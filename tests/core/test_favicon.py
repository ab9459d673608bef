"""Every page names the site's icon, so no browser asks for a /favicon.ico that is not there; the one that asks
anyway is redirected to it."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from tests import factories as f

pytestmark = pytest.mark.django_db

ICON = re.compile(r'<link rel="icon" href="([^"]+)"')


def _icons(response) -> list[str]:
    return ICON.findall(response.content.decode())


def test_the_site_icon_exists():
    assert finders.find("favicon.svg")


def test_the_admin_log_in_page_links_the_site_icon(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200 and _icons(response) == [static("favicon.svg")]


def test_admin_pages_of_a_signed_in_administrator_link_the_site_icon(client):
    admin = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in ("/admin/", "/admin/deals/dealregistration/", "/admin/catalog/product/add/", "/admin/password_change/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _icons(response) == [static("favicon.svg")], url


def test_api_docs_link_an_icon_served_here(client):
    client.force_login(f.UserFactory(is_staff=True))
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200, url
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', response.content.decode())
        assert icons and all(icon.startswith("/static/") for icon in icons), (url, icons)


def test_favicon_ico_leads_to_the_site_icon(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"] == static("favicon.svg")
