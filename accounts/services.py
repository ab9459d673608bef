"""Partner admins manage their own partner's users: invite, change role, deactivate, reactivate.

An invited user gets an unusable password and an emailed one-time link to set
their own (Django's password-reset token: it stops working once a password
is set, and after PASSWORD_RESET_TIMEOUT). Nobody else ever knows the password.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.exceptions import ActionNotPermittedError, ServiceError

from .models import Role, User

PARTNER_ROLES = (Role.PARTNER_USER, Role.PARTNER_ADMIN)


def _require_admin_of(admin: User, user: User | None = None) -> None:
    if not (admin.is_active and admin.is_partner_admin):
        raise ActionNotPermittedError("Only partner admins may manage users.")
    if user is not None and user.partner_id != admin.partner_id:
        raise ActionNotPermittedError("You can only manage the users of your own partner.")


def set_password_url(*, user: User, site_url: str) -> str:
    """The one-time link an invited user follows to choose a password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_url.rstrip("/") + reverse("accounts:set_password", args=[uid, token])


def partner_user_send_invitation(*, admin: User, user: User, site_url: str) -> None:
    """Email (after commit) the set-password link to a user who has not set a password yet."""
    _require_admin_of(admin, user)
    if user.has_usable_password() or user.last_login:
        raise ServiceError(f"{user.username} has already set a password; they can log in.")
    if not user.is_active:
        raise ServiceError(f"{user.username} is deactivated; reactivate the account first.")
    link = set_password_url(user=user, site_url=site_url)
    days = max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1)
    inviter = admin.get_full_name() or admin.username
    body = (
        f"{inviter} invited you to the {user.partner.name} partner portal.\n\n"
        f"Your username: {user.username}\n"
        f"Choose your password here (the link works once, for {days} day{'s' if days != 1 else ''}):\n{link}\n"
    )
    address = user.email
    transaction.on_commit(
        lambda: send_mail(
            f"[prm] Your access to the {user.partner.name} partner portal",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )
    )


@transaction.atomic
def partner_user_invite(
    *,
    admin: User,
    username: str,
    email: str,
    role: str = Role.PARTNER_USER,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    site_url: str,
) -> User | None:
    """Create a user of the admin's partner with no usable password and email them the set-password link.

    An address that already belongs to a user of another partner (or to a channel manager) creates
    nothing and returns None: its owner gets a notice instead, and the caller must answer exactly as for
    a new user, so that the form never reveals who has an account.
    """
    _require_admin_of(admin)
    username, email = (username or "").strip(), (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["Choose a username."]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [f"The username “{username}” is taken; choose another."]
    holder = None
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address; the invitation is sent there."]
    else:
        holder = User.objects.filter(email__iexact=email).order_by("pk").first()
        if holder is not None and holder.partner_id == admin.partner_id:
            errors["email"] = [f"{holder.username}, a user of your partner, already has this email address."]
    if role not in PARTNER_ROLES:
        errors["role"] = ["Choose partner user or partner admin."]
    if errors:
        raise ValidationError(errors)
    if holder is not None:
        # The address belongs to someone outside the admin's partner: saying so would tell one partner who
        # works with another. The admin sees the same outcome as for a new address; the owner is told.
        _send_existing_account_notice(admin=admin, address=email)
        return None
    user = User(
        username=username,
        email=email,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        title=(title or "").strip(),
        role=role,
        partner_id=admin.partner_id,
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    partner_user_send_invitation(admin=admin, user=user, site_url=site_url)
    return user


def _send_existing_account_notice(*, admin: User, address: str) -> None:
    inviter = admin.get_full_name() or admin.username
    body = (
        f"{inviter} tried to invite this address to the {admin.partner.name} partner portal of prm.\n\n"
        "This address already belongs to a prm account, so no second account was created. If you need "
        f"access to {admin.partner.name}'s portal, contact {inviter} or your channel manager. "
        'If you forgot your password, use "Forgot your password?" on the log-in page.\n'
    )
    transaction.on_commit(
        lambda: send_mail(
            "[prm] An invitation to an address that already has an account",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )
    )


@transaction.atomic
def partner_user_set_active(*, admin: User, user: User, active: bool) -> User:
    """Deactivate (they can no longer log in; history keeps their name) or reactivate a user."""
    _require_admin_of(admin, user)
    if user.pk == admin.pk:
        raise ActionNotPermittedError("You cannot deactivate or reactivate your own account.")
    if user.is_active == active:
        raise ServiceError(f"{user.username} is already {'active' if active else 'deactivated'}.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def partner_user_set_role(*, admin: User, user: User, role: str) -> User:
    """Make a user a partner admin or a partner user (never oneself, so a partner always keeps an admin)."""
    _require_admin_of(admin, user)
    if user.pk == admin.pk:
        raise ActionNotPermittedError("You cannot change your own role.")
    if role not in PARTNER_ROLES:
        raise ValidationError({"role": ["Choose partner user or partner admin."]})
    user.role = role
    user.save(update_fields=["role"])
    return user
