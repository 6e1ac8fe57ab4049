from uuid import UUID

import pytest

from redgrid_shared import codec, events


def _unroutable(**overrides):
    data = dict(issue_id="iss-1", community="erqiaoxi", building="b-99", reason="no grid")
    data.update(overrides)
    return events.envelope(events.IssueUnroutable(**data), service="dispatch", subject="iss-1")


def test_event_travels_in_binary_mode_with_the_contract_headers():
    env = _unroutable()
    message = codec.to_kafka(env)
    assert message.key == "iss-1"
    assert message.headers["ce_specversion"] == b"1.0"
    assert message.headers["ce_type"] == b"org.redgrid.issue.unroutable"
    assert message.headers["ce_source"] == b"/redgrid/dispatch"
    assert message.headers["ce_subject"] == b"iss-1"
    assert message.headers["ce_id"] == str(env.id).encode()
    assert message.headers["content-type"] == b"application/json"
    assert b'"building": "b-99"' in message.value or b'"building":"b-99"' in message.value


def test_a_record_decodes_back_to_the_same_envelope():
    env = _unroutable()
    message = codec.to_kafka(env)
    back = codec.from_kafka(list(message.headers.items()), message.key.encode(), message.value)
    assert back.id == env.id and isinstance(back.id, UUID)
    assert back.type == env.type and back.subject == env.subject and back.data == env.data
    assert back.time == env.time


@pytest.mark.parametrize("headers, value", [
    ({}, b"{}"),  # no CloudEvents attributes at all
    ({"ce_specversion": b"1.0", "ce_id": b"x", "ce_source": b"/s", "ce_type": b"t",
      "content-type": b"application/json"}, b"not json"),
    ({"ce_specversion": b"1.0", "ce_id": b"x", "ce_source": b"/s", "ce_type": b"t",
      "content-type": b"application/json"}, b"[1, 2]"),
])
def test_malformed_records_raise_a_reasoned_error(headers, value):
    with pytest.raises(codec.MalformedEvent) as info:
        codec.from_kafka(headers, None, value)
    assert str(info.value)


def test_parse_returns_typed_data_and_none_for_unknown_types():
    env = _unroutable()
    parsed = events.parse(env)
    assert isinstance(parsed, events.IssueUnroutable) and parsed.building == "b-99"
    unknown = env.model_copy(update={"type": "org.redgrid.something.new"})
    assert events.parse(unknown) is None
