"""Partner admins manage their own partner's users; nobody else can."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

INVITE = {
    "first_name": "Nora",
    "last_name": "Nieminen",
    "email": "Nora@Alpha.example",
    "username": "nora",
    "title": "Sales engineer",
    "role": "partner_user",
}


@pytest.mark.parametrize("who, status", [("admin_a", 200), ("user_a", 403), ("manager", 403), ("superuser", 403)])
def test_only_partner_admins_manage_users(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse("accounts:user_list")).status_code == status
    assert client.get(reverse("accounts:user_invite")).status_code == status


def test_list_shows_only_the_admins_own_partner(client, world):
    client.force_login(world.admin_a)
    people = client.get(reverse("accounts:user_list")).context["people"]
    assert {p.username for p in people} == {"admin_a", "user_a"}


def test_invite_creates_a_user_without_password_and_emails_a_one_time_link(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_invite"), INVITE)
    assert response.status_code == 302
    nora = User.objects.get(username="nora")
    assert (nora.partner, nora.role, nora.email, nora.is_active) == (
        world.partner_a,
        "partner_user",
        "nora@alpha.example",
        True,
    )
    assert not nora.has_usable_password()
    assert [m.to for m in mailoutbox] == [["nora@alpha.example"]]
    # The link starts with PRM_SITE_URL (never the request's host).
    link = re.search(r"http://127\.0\.0\.1:8000(/account/set-password/\S+/)", mailoutbox[0].body).group(1)
    assert "Your username: nora" in mailoutbox[0].body

    client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "A-long-secret-9", "new_password2": "A-long-secret-9"},
        follow=True,
    )
    assert "Your password is set" in done.content.decode()
    logged_in = client.post(reverse("login"), {"username": "nora", "password": "A-long-secret-9"})
    assert logged_in.status_code == 302 and client.session["_auth_user_id"] == str(nora.pk)
    # The link works once.
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]


def test_invite_errors_keep_what_was_typed(client, world):
    client.force_login(world.admin_a)
    response = client.post(reverse("accounts:user_invite"), {**INVITE, "username": "user_b", "email": "bad"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Nieminen"' in html and "Enter a valid email address" in html
    response = client.post(reverse("accounts:user_invite"), {**INVITE, "username": "USER_B"})
    assert "is taken" in response.content.decode()
    response = client.post(reverse("accounts:user_invite"), {**INVITE, "email": world.user_a.email})
    assert "user_a, a user of your partner, already has this email address" in response.content.decode()
    response = client.post(reverse("accounts:user_invite"), {**INVITE, "role": "channel_manager"})
    assert response.context["form"].errors["role"]
    assert not User.objects.filter(username="nora").exists()


def test_deactivate_and_reactivate_a_colleague_but_not_oneself(client, world):
    client.force_login(world.admin_a)
    client.post(reverse("accounts:user_deactivate", args=[world.user_a.pk]))
    world.user_a.refresh_from_db()
    assert not world.user_a.is_active
    client.logout()
    refused = client.post(reverse("login"), {"username": "user_a", "password": "pw"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    client.force_login(world.admin_a)
    client.post(reverse("accounts:user_reactivate", args=[world.user_a.pk]))
    world.user_a.refresh_from_db()
    assert world.user_a.is_active
    response = client.post(reverse("accounts:user_deactivate", args=[world.admin_a.pk]), follow=True)
    assert "cannot deactivate or reactivate your own account" in response.content.decode()
    world.admin_a.refresh_from_db()
    assert world.admin_a.is_active


def test_role_change_and_resend(client, world, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(world.admin_a)
    client.post(reverse("accounts:user_role", args=[world.user_a.pk]), {"role": "partner_admin"})
    world.user_a.refresh_from_db()
    assert world.user_a.role == Role.PARTNER_ADMIN
    response = client.post(
        reverse("accounts:user_role", args=[world.admin_a.pk]), {"role": "partner_user"}, follow=True
    )
    assert "cannot change your own role" in response.content.decode()
    response = client.post(reverse("accounts:user_resend", args=[world.user_a.pk]), follow=True)
    assert "already set a password" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:user_invite"), INVITE)
        client.post(reverse("accounts:user_resend", args=[User.objects.get(username="nora").pk]))
    assert len(mailoutbox) == 2


def test_another_partners_user_answers_404(client, world):
    client.force_login(world.admin_a)
    for name in ("user_deactivate", "user_reactivate", "user_role", "user_resend"):
        assert (
            client.post(reverse(f"accounts:{name}", args=[world.user_b.pk]), {"role": "partner_user"}).status_code
            == 404
        )
    world.user_b.refresh_from_db()
    assert world.user_b.is_active and world.user_b.role == Role.PARTNER_USER


def test_partner_user_cannot_post_actions(client, world):
    client.force_login(world.user_a)
    assert client.post(reverse("accounts:user_deactivate", args=[world.admin_a.pk])).status_code == 403
    world.admin_a.refresh_from_db()
    assert world.admin_a.is_active


def test_user_list_query_count_is_constant(client, world):
    client.force_login(world.admin_a)
    url = reverse("accounts:user_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(15):
        f.PartnerUserFactory(partner=world.partner_a)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
