"""Vectorised encoding of generated columns for PostgreSQL `COPY … FROM STDIN` (text format).

Formatting millions of rows value by value in Python would cost more than loading them, so each
column becomes a byte matrix (one row per record, padded with NUL bytes) built by numpy; the
matrices are joined with tab and newline columns and the padding is dropped in one pass. Generated
text never contains tabs, newlines or backslashes (checked), so no escaping is needed.
"""

from __future__ import annotations

import numpy as np

NULL = b"\\N"
_FORBIDDEN = np.array([0x09, 0x0A, 0x0D, 0x5C], dtype=np.uint8)  # tab, LF, CR, backslash


def _matrix(strings: np.ndarray) -> np.ndarray:
    """A fixed-width bytes array as an (n, width) uint8 matrix; shorter values are NUL padded."""
    width = max(strings.dtype.itemsize, 1)
    if strings.dtype.itemsize == 0:
        return np.zeros((len(strings), 1), dtype=np.uint8)
    return np.ascontiguousarray(strings).view(np.uint8).reshape(len(strings), width)


def _with_nulls(matrix: np.ndarray, null: np.ndarray | None) -> np.ndarray:
    if null is None or not null.any():
        return matrix
    if matrix.shape[1] < 2:
        matrix = np.concatenate([matrix, np.zeros((len(matrix), 1), np.uint8)], axis=1)
    matrix = matrix.copy()
    matrix[null] = 0
    matrix[null, 0] = NULL[0]
    matrix[null, 1] = NULL[1]
    return matrix


def int_matrix(values: np.ndarray, null: np.ndarray | None = None) -> np.ndarray:
    return _with_nulls(_matrix(values.astype(np.int64).astype("S20")), null)


def cents_matrix(cents: np.ndarray, null: np.ndarray | None = None) -> np.ndarray:
    """Integer cents as an exact decimal "1234.56" (money never passes through float)."""
    cents = np.where(null, 0, cents) if null is not None else cents
    units = _matrix((cents // 100).astype(np.int64).astype("S18"))
    rest = (cents % 100).astype(np.int64)
    tail = np.empty((len(cents), 3), dtype=np.uint8)
    tail[:, 0] = ord(".")
    tail[:, 1] = 48 + rest // 10
    tail[:, 2] = 48 + rest % 10
    return _with_nulls(np.concatenate([units, tail], axis=1), null)


def timestamp_matrix(values: np.ndarray) -> np.ndarray:
    """datetime64[s] (UTC) as "YYYY-MM-DDTHH:MM:SS+00"; NaT is NULL."""
    null = np.isnat(values)
    text = _matrix(values.astype("datetime64[s]").astype("S19"))
    zone = np.frombuffer(b"+00", dtype=np.uint8)
    suffix = np.broadcast_to(zone, (len(values), 3))
    return _with_nulls(np.concatenate([text, suffix], axis=1), null)


def date_matrix(values: np.ndarray) -> np.ndarray:
    null = np.isnat(values)
    return _with_nulls(_matrix(values.astype("datetime64[D]").astype("S10")), null)


def bool_matrix(values: np.ndarray) -> np.ndarray:
    return np.where(values.astype(bool), ord("t"), ord("f")).astype(np.uint8).reshape(-1, 1)


def text_matrix(values: np.ndarray) -> np.ndarray:
    """UTF-8 bytes (numpy "S" dtype); backslash, tab, newline and carriage return escaped as COPY reads them.

    Generated names never contain them, so the check costs one pass; texts that do (a notification's
    "Reason:" line) are escaped with a few vectorised replacements.
    """
    matrix = _matrix(values)
    if np.isin(matrix, _FORBIDDEN).any():
        for raw, escaped in ((b"\\", b"\\\\"), (b"\t", b"\\t"), (b"\n", b"\\n"), (b"\r", b"\\r")):
            values = np.char.replace(values, raw, escaped)
        matrix = _matrix(values)
    return matrix


def join_rows(matrices: list[np.ndarray]) -> bytes:
    """Tab-separated, newline-terminated rows with the NUL padding removed."""
    n = len(matrices[0])
    tab = np.full((n, 1), 0x09, dtype=np.uint8)
    parts: list[np.ndarray] = []
    for index, matrix in enumerate(matrices):
        if index:
            parts.append(tab)
        parts.append(matrix)
    parts.append(np.full((n, 1), 0x0A, dtype=np.uint8))
    block = np.concatenate(parts, axis=1)
    return block[block != 0].tobytes()
