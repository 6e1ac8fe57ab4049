"""Opaque keyset cursors of dispatch's lists: (moment, optional rank, id) as base64 JSON."""

import base64
import binascii
import json
from datetime import datetime, timezone

from redgrid_shared.domain import Invalid


def encode(at: datetime, *rest: int | str) -> str:
    raw = json.dumps([at.isoformat(), *rest]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, *, ranked: bool) -> tuple:
    """The keyset position (at, [rank,] id), or Invalid naming `query.cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
        if not isinstance(parts, list) or len(parts) != (3 if ranked else 2):
            raise ValueError("incomplete cursor")
        at = datetime.fromisoformat(parts[0])
        rank, key = (parts[1], parts[2]) if ranked else (None, parts[1])
        # A forged cursor must not reach SQL with what PostgreSQL cannot store or compare.
        if (at.tzinfo is None or not isinstance(key, str) or len(key) > 64 or "\x00" in key
                or not 1970 <= at.astimezone(timezone.utc).year < 3000
                or (ranked and rank not in (0, 1))):
            raise ValueError("not a cursor of this API")
        return (at, rank, key) if ranked else (at, key)
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise Invalid("query.cursor", "not a cursor this API returned") from None
