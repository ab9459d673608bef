"""The raw-interchange body parser: `Content-Type: application/edi-x12` (or application/edi) bodies as bytes."""

from __future__ import annotations

from rest_framework.parsers import BaseParser


class X12Parser(BaseParser):
    media_type = "application/edi-x12"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read() if stream is not None else b""


class EdiParser(X12Parser):
    media_type = "application/edi"
