"""CSV of any view: flattened rows, UTF-8 with a BOM, and an RFC 6266 download name."""

import csv
import io
import re
import typing
from urllib.parse import quote

from pydantic import BaseModel

# Fields of a view that are lists of rows; everything else is the selection it answers for.
ROWS = {"overdue": "issues", "grids": "grids", "staff": "staff", "timeseries": "days", "meetings": "meetings",
        "campaigns": "campaigns"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def flatten(value, prefix: str = "") -> dict:
    """Nested dicts as dotted keys; lists as `a|b`; None as an empty cell."""
    if isinstance(value, dict):
        out: dict = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list):
        return {prefix: "|".join(str(v) for v in value)}
    return {prefix: "" if value is None else value}


def table(view: str, model: BaseModel) -> list[list]:
    """Header and lines of one view: figure/value pairs for the summary, else one per row."""
    body = model.model_dump(mode="json", by_alias=True)
    if view not in ROWS:
        flat = flatten({k: v for k, v in body.items() if k not in ("filters",)})
        return [["figure", "value"]] + [[k, v] for k, v in flat.items()]
    lines = [flatten(row) for row in body[ROWS[view]]]
    header: list[str] = [] if lines else _columns(model, ROWS[view])
    for line in lines:
        header += [k for k in line if k not in header]
    return [header] + [[line.get(k, "") for k in header] for line in lines]


def _columns(model: BaseModel, field: str) -> list[str]:
    """The header of an empty list view: its row model's fields."""
    item = typing.get_args(type(model).model_fields[field].annotation)[0]
    return list(item.model_fields)


def render(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return "\ufeff" + out.getvalue()  # the BOM lets spreadsheet apps read Chinese as UTF-8


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the exact name as RFC 5987 `filename*`.

    Every byte outside the unreserved set is percent-encoded, so quotes, CR/LF and any
    script survive as data and never break the header.
    """
    fallback = _UNSAFE.sub("_", filename).strip("_") or "stats.csv"
    return (f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")
