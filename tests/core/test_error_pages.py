"""403, 404, 500 and a refused form (CSRF) answer pages in the site's layout, with the navigation when the user is
known and a way back, under DEBUG off (as the test runner sets it)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.texts import text_defects


def _text(response) -> str:
    """The page's visible text, roughly: tags dropped."""
    return re.sub(r"<[^>]+>", " ", response.content.decode())


def test_debug_is_off_so_the_templates_are_what_users_see():
    assert settings.DEBUG is False


def test_403_for_a_partner_on_a_manager_page_has_the_portal_navigation_and_a_way_back(client, world):
    client.force_login(world.user_a)
    response = client.get(reverse("deals:manage_queue"))
    assert response.status_code == 403
    content = response.content.decode()
    assert 'data-error-page="403"' in content and "You may not open this page" in content
    assert f'href="{reverse("deals:deal_list")}"' in content  # the portal navigation
    assert f'href="{reverse("deals:manage_deal_list")}"' not in content
    assert f'href="{reverse("home")}"' in content and "Go to your start page" in content
    assert text_defects(_text(response)) == []


def test_404_for_a_manager_has_the_manager_navigation(client, world):
    client.force_login(world.manager)
    response = client.get("/manage/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert 'data-error-page="404"' in content and "Page not found" in content
    assert f'href="{reverse("deals:manage_queue")}"' in content
    assert "Go to your start page" in content
    assert text_defects(_text(response)) == []


def test_404_for_someone_unknown_offers_the_log_in_and_no_navigation(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert 'data-error-page="404"' in content
    assert f'href="{reverse("login")}?next=/no-such-page/"' in content
    assert 'id="mainnav"' not in content


def test_another_partners_deal_answers_the_same_404_page(client, world):
    from tests import factories as f

    deal = f.DealFactory(partner=world.partner_b)
    client.force_login(world.user_a)
    response = client.get(reverse("deals:deal_detail", args=[deal.pk]))
    assert response.status_code == 404
    assert 'data-error-page="404"' in response.content.decode()


@pytest.mark.urls("tests.core.error_urls")
def test_500_renders_without_a_request_context(client, world):
    client.force_login(world.manager)
    client.raise_request_exception = False
    response = client.get("/failing-view/")
    assert response.status_code == 500
    content = response.content.decode()
    assert 'data-error-page="500"' in content and "Something went wrong on our side" in content
    assert 'href="/"' in content and "/static/" in content  # layout's styles, a way back
    assert world.manager.username not in content  # no user: rendered without the request


def test_a_refused_form_explains_what_to_do_in_the_layout(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin_a)
    client.get(reverse("portal_home"))  # the CSRF cookie is set; the form below carries no token
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    content = response.content.decode()
    assert 'data-error-page="403"' in content and "The form could not be sent" in content
    assert "Nothing was saved" in content and "reload the page" in content
    assert f'href="{reverse("deals:deal_list")}"' in content  # the user is known: navigation
    assert text_defects(_text(response)) == []


def test_a_form_without_the_cookie_asks_to_allow_cookies(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "did not send this site" in content and "Allow cookies" in content
    assert f'href="{reverse("login")}' in content
