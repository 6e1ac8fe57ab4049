"""The event-store contract, run here on the in-memory store (and on PostgreSQL in
tests/integration/shared/test_event_store.py through the same cases)."""

import pytest

from redgrid_shared.eventstore import MemoryEventStore
from tests.store_contract import CONTRACT_CASES


@pytest.mark.parametrize("case", CONTRACT_CASES, ids=lambda c: c.__name__)
async def test_memory_store_keeps_the_contract(case):
    await case(MemoryEventStore())
