"""API plumbing shared by every app's endpoints: base viewsets, strict serializers, errors, paging,
rendering, rate limits and bulk requests. Domain apps import these; this package imports no domain app."""
