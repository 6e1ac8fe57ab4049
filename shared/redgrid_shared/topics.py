"""Kafka topic names: one topic per producing service, retention infinite."""

INTAKE_EVENTS = "redgrid.intake.events"
DISPATCH_EVENTS = "redgrid.dispatch.events"
ALL_TOPICS: tuple[str, ...] = (INTAKE_EVENTS, DISPATCH_EVENTS)
