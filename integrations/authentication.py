"""DRF authentication with personal API tokens (`Authorization: Bearer prm_…`)."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from .tokens import TokenError, api_token_check, parse_authorization

# The middleware may check the token first (for idempotency); the result is kept on the request.
CACHE_ATTR = "_prm_token_auth"


def authenticate_request(http_request) -> tuple | None:
    """(user, token) for a request carrying a token, None without one; raises TokenError for a bad one.

    Checked once per request: the API middleware and DRF share the result.
    """
    cached = getattr(http_request, CACHE_ATTR, None)
    if cached is not None:
        if isinstance(cached, TokenError):
            raise cached
        return cached
    try:
        text = parse_authorization(http_request.META.get("HTTP_AUTHORIZATION", ""))
        token = None if text is None else api_token_check(text)
    except TokenError as exc:
        setattr(http_request, CACHE_ATTR, exc)
        raise
    if token is None:
        return None
    result = (token.user, token)
    setattr(http_request, CACHE_ATTR, result)
    return result


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A token acts as its user: same role, same visibility. `request.auth` is the ApiToken."""

    keyword = "Bearer"

    def authenticate(self, request):
        try:
            return authenticate_request(request._request)
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc))

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to unauthenticated requests.
        return f'{self.keyword} realm="api"'
