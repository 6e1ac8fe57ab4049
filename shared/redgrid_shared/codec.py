"""CloudEvents 1.0 binary content mode on Kafka, through the cloudevents SDK's Kafka binding."""

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from redgrid_shared.events import Envelope

_FORMAT = JSONFormat()


def to_kafka(env: Envelope) -> ce_kafka.KafkaMessage:
    """Headers ce_* + content-type, the data as the JSON value, the subject as the key."""
    event = CloudEvent(
        attributes={
            "specversion": "1.0",
            "id": str(env.id),
            "source": env.source,
            "type": env.type,
            "subject": env.subject,
            "time": env.time,
            "datacontenttype": "application/json",
        },
        data=env.data,
    )
    return ce_kafka.to_binary(event, _FORMAT, key_mapper=lambda e: e.get_subject())


class MalformedEvent(ValueError):
    """A record that is not a RedGrid CloudEvent; the reason says why."""


def from_kafka(headers: list[tuple[str, bytes]] | dict[str, bytes], key: bytes | None,
               value: bytes) -> Envelope:
    """Parse a Kafka record into an Envelope or raise MalformedEvent."""
    header_map = dict(headers) if not isinstance(headers, dict) else headers
    try:
        event = ce_kafka.from_binary(
            ce_kafka.KafkaMessage(headers=header_map, key=key, value=value), _FORMAT
        )
        data = event.get_data()
        if not isinstance(data, dict):
            raise MalformedEvent("event data is not a JSON object")
        return Envelope(
            id=event.get_id(),
            type=event.get_type(),
            source=event.get_source(),
            subject=event.get_subject() or (key.decode() if key else ""),
            time=event.get_time(),
            data=data,
        )
    except MalformedEvent:
        raise
    except Exception as exc:  # the SDK raises several types; all mean "not a valid event"
        raise MalformedEvent(f"{type(exc).__name__}: {exc}") from exc
