"""OpenAPI: the API token security scheme (registered with drf-spectacular when the app is ready)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "prm_<prefix>_<secret>",
            "description": "A personal API token created on the API page of the web app.",
        }
