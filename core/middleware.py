"""Response headers every page and API answer gets: the Content-Security-Policy and Cache-Control."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

# Third-party pages under /api/ (DRF's browsable API, Swagger UI, ReDoc) carry inline style attributes and
# style elements we do not template, and ReDoc runs its search in a worker made from a blob: URL; there,
# and only there, styles may be inline and workers come from blob:. Scripts stay strict.
_THIRD_PARTY_UI_PREFIXES = ("/api/",)
_THIRD_PARTY_UI_ALLOWANCES = {"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with CONTENT_SECURITY_POLICY, plus the allowances of the API's HTML UIs."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(_THIRD_PARTY_UI_PREFIXES) and "html" in response.get("Content-Type", ""):
            parts.update = {**(parts.update or {}), **_THIRD_PARTY_UI_ALLOWANCES}
        return parts


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's never-cache headers) on what must not stay in a cache.

    Every answer to a signed-in user (pages, exports, chart data) and every API answer, whatever its
    view set: they hold a user's data, and a shared or back-button cache must not keep it. Anonymous
    pages (log-in, password reset) keep what their view set, or get the same headers when it set none:
    they carry CSRF tokens. Static files are served before this middleware and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        private = (user is not None and user.is_authenticated) or request.path.startswith("/api/")
        if private:
            if "Cache-Control" in response:
                del response["Cache-Control"]
            add_never_cache_headers(response)
        elif not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
