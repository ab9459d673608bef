"""Self-service passwords (change, reset by email) and links built from PRM_SITE_URL, never the Host header;
the invite form does not reveal whether an address belongs to someone outside the admin's partner."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db

SITE = "https://prm.example.com"
FORGED_HOST = "attacker.example"


@pytest.fixture
def site(settings):
    settings.PRM_SITE_URL = SITE + "/"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, FORGED_HOST]  # so a forged Host reaches the view


def log_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize("who", ["admin_a", "user_a", "manager", "superuser"])
def test_every_signed_in_user_changes_their_own_password(client, world, who):
    user = getattr(world, who)
    client.force_login(user)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="navbar-brand"' in html and 'name="old_password"' in html
    wrong = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": "Fresh-Pass-2027", "new_password2": "Fresh-Pass-2027"},
    )
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.content.decode()
    done = client.post(
        reverse("accounts:password_change"),
        {"old_password": "pw", "new_password1": "Fresh-Pass-2027", "new_password2": "Fresh-Pass-2027"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("accounts:password_change_done")
    assert "Your password is changed" in done.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)  # still signed in here
    client.logout()
    assert log_in(client, user.username, "pw").status_code == 200  # the old one no longer works
    assert log_in(client, user.username, "Fresh-Pass-2027").status_code == 302


def test_password_change_needs_a_signed_in_user(client, db):
    answer = client.get(reverse("accounts:password_change"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_the_navigation_and_the_login_page_link_to_the_password_pages(client, world):
    assert reverse("accounts:password_reset") in client.get(reverse("login")).content.decode()
    client.force_login(world.user_a)
    assert reverse("accounts:password_change") in client.get(reverse("portal_home")).content.decode()


def test_reset_by_email_uses_the_site_url_not_the_host_header(client, world, site, mailoutbox):
    answer = client.post(reverse("accounts:password_reset"), {"email": world.user_a.email}, HTTP_HOST=FORGED_HOST)
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:password_reset_done")
    (mail,) = mailoutbox
    assert mail.to == [world.user_a.email]
    assert FORGED_HOST not in mail.subject + mail.body
    link = re.search(re.escape(SITE) + r"(/account/set-password/\S+/)", mail.body).group(1)
    assert "user_a" in mail.body

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_new = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Reset-Pass-2027", "new_password2": "Reset-Pass-2027"},
        follow=True,
    )
    assert "Your password is set" in set_new.content.decode()
    assert log_in(client, "user_a", "Reset-Pass-2027").status_code == 302
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]  # the link works once


def _without_tokens(response) -> str:
    """The page without what differs on every answer (the masked CSRF token, a CSP nonce)."""
    return re.sub(r'("X-CSRFToken": "|nonce=")[^"]+', r"\1…", response.content.decode())


def test_reset_answers_the_same_whether_or_not_the_address_has_an_account(client, world, mailoutbox):
    known = client.post(reverse("accounts:password_reset"), {"email": world.user_a.email}, follow=True)
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@nowhere.example"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("accounts:password_reset_done"), 302)]
    assert _without_tokens(known) == _without_tokens(unknown)
    assert [m.to for m in mailoutbox] == [[world.user_a.email]]


def test_reset_page_is_in_the_site_layout(client, db):
    html = client.get(reverse("accounts:password_reset")).content.decode()
    assert 'class="navbar-brand"' in html and 'name="email"' in html


def test_invitation_and_resent_links_use_the_site_url(
    client, world, site, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:user_invite"),
            {"email": "nina@alpha.example", "username": "nina", "role": "partner_user"},
            HTTP_HOST=FORGED_HOST,
        )
        nina = User.objects.get(username="nina")
        client.post(reverse("accounts:user_resend", args=[nina.pk]), HTTP_HOST=FORGED_HOST)
    assert len(mailoutbox) == 2
    for mail in mailoutbox:
        assert FORGED_HOST not in mail.body
        assert re.search(re.escape(SITE) + r"/account/set-password/\S+/", mail.body)


def test_the_api_page_names_the_api_by_the_site_url(client, world, site):
    client.force_login(world.admin_a)
    html = client.get(reverse("integrations:api_settings"), HTTP_HOST=FORGED_HOST).content.decode()
    assert f"{SITE}/api/v1/" in html and FORGED_HOST not in html


def _invite(client, email: str, username: str):
    data = {"email": email, "username": username, "role": "partner_user"}
    return client.post(reverse("accounts:user_invite"), data, follow=True)


def _message(response) -> str:
    (message,) = [str(m) for m in response.context["messages"]]
    return message


def test_inviting_an_address_of_another_partner_or_a_manager_reveals_nothing(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        new = _invite(client, "fresh@alpha.example", "fresh")
    with django_capture_on_commit_callbacks(execute=True):
        taken_by_b = _invite(client, world.user_b.email.upper(), "someone")
    with django_capture_on_commit_callbacks(execute=True):
        taken_by_manager = _invite(client, world.manager.email, "someone-else")

    def neutral(response, email):
        return _message(response).replace(email.lower(), "<email>")

    assert new.status_code == taken_by_b.status_code == taken_by_manager.status_code == 200
    assert new.redirect_chain == taken_by_b.redirect_chain == taken_by_manager.redirect_chain
    assert (
        neutral(new, "fresh@alpha.example")
        == neutral(taken_by_b, world.user_b.email)
        == neutral(taken_by_manager, world.manager.email)
        == "Invitation sent to <email>: the email holds a one-time link to choose a password."
    )
    for response in (taken_by_b, taken_by_manager):
        html = response.content.decode()
        for word in ("already", "exists", world.partner_b.name):
            assert word not in html, html[html.find(word) - 200 : html.find(word) + 50]
    # Nothing was created for the taken addresses; their owners were told instead.
    assert not User.objects.filter(username__in=["someone", "someone-else"]).exists()
    assert User.objects.filter(email__iexact=world.user_b.email).count() == 1
    assert [m.to for m in mailoutbox] == [["fresh@alpha.example"], [world.user_b.email.lower()], [world.manager.email]]
    notice = mailoutbox[1]
    assert "already belongs to a prm account" in notice.body and world.partner_a.name in notice.body
    assert "set-password" not in notice.body


def test_an_address_of_the_admins_own_partner_is_named_as_such(client, world):
    client.force_login(world.admin_a)
    colleague = f.PartnerUserFactory(partner=world.partner_a, username="colleague", email="colleague@alpha.example")
    response = client.post(
        reverse("accounts:user_invite"), {"email": colleague.email, "username": "again", "role": "partner_user"}
    )
    assert response.status_code == 200
    assert "colleague, a user of your partner, already has this email address" in response.content.decode()
