"""Paper-ledger (台账) import: parse and check a file (`rows`), then plan its events (`plan`).

Both intake and dispatch run the same parse on the same file, so they agree on every row,
every id and every line number; each then records only the events it owns.
"""

from redgrid_shared.ledger.plan import Plan, Stream, build, in_order, issue_id
from redgrid_shared.ledger.rows import Format, LedgerInvalid, LedgerRow, Line, parse

__all__ = ["Format", "LedgerInvalid", "LedgerRow", "Line", "Plan", "Stream", "build", "in_order",
           "issue_id", "parse"]
