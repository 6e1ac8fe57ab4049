"""Open311 pure parts: status mapping, argument parsing, services and attributes, XML."""

from datetime import date, datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest

from intake.open311 import formats, query, services, status
from intake.open311.errors import BadRequest, NotFound

AT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
PERSONAL = ("reporter_id", "reported_by", "unit", "steward_id", "repairer_id", "vulnerable",
            "photos", "description")


def row(**overrides) -> dict:
    base = {"id": "iss-3f9c2a7d41b0e865", "community": "erqiaoxi", "reporter_id": "u-1001",
            "reported_by": "u-1001", "category": "repair.pipe", "description": "张三 13800000000",
            "building": "b-03", "unit": "2-301", "vulnerable": "elderly", "photos": [],
            "status": "reported", "grid_id": None, "steward_id": None, "repairer_id": None,
            "signoff_due_at": None, "completion_limit_minutes": None, "completion_due_at": None,
            "meeting_date": None, "department": None, "close_due_at": None,
            "created_at": AT, "updated_at": AT}
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, public, note, agency", [
    ({}, "open", "已受理，正在派单", status.DESK),
    ({"status": "unroutable"}, "open", "已受理，等待社区人工派单", status.DESK),
    ({"status": "assigned", "grid_id": "g-03"}, "open", "已派单至网格 g-03，等待签收",
     "网格 g-03"),
    ({"status": "accepted", "grid_id": "g-03"}, "open", "已签收", "网格 g-03"),
    ({"status": "in_progress", "grid_id": "g-03"}, "open", "处理中", "网格 g-03"),
    ({"status": "returned", "grid_id": "g-03"}, "open", "已退单，待重新派单", status.DESK),
    ({"status": "escalated", "grid_id": "g-03", "meeting_date": date(2026, 12, 4)}, "open",
     "将提交 2026-12-04 逢四说事议事会", "逢四说事议事会"),
    ({"status": "referred", "grid_id": "g-03", "department": "street_office"}, "open",
     "已转交街道办事处", "街道办事处"),
    ({"status": "referred", "grid_id": "g-03", "department": "fire"}, "open",
     "已转交消防部门", "消防部门"),
    # 2030-01-07T20:00Z is already the 8th in Shanghai.
    ({"status": "resolved", "grid_id": "g-03",
      "close_due_at": datetime(2030, 1, 7, 20, 0, tzinfo=timezone.utc)}, "closed",
     "已办结，待居民确认（2030-01-08 前未确认将自动结案）", "网格 g-03"),
    ({"status": "closed", "grid_id": "g-03"}, "closed", "已结案", "网格 g-03"),
    ({"status": "cancelled"}, "closed", "已撤销", status.DESK),
])
def test_statuses_map_to_open_or_closed_with_a_note_residents_understand(overrides, public,
                                                                          note, agency):
    request = status.public_request(row(**overrides))
    assert (request["status"], request["status_notes"], request["agency_responsible"]) == (
        public, note, agency)


def test_the_notes_use_the_resident_apps_words_for_statuses():
    from intake.words import labels
    for plain in ("accepted", "in_progress", "returned", "closed", "cancelled"):
        assert status.status_notes(row(status=plain)) == labels.status(plain, "zh")


def test_expected_time_comes_from_the_sla_deadlines_while_one_runs():
    signoff = AT + timedelta(hours=2)
    assigned = row(status="assigned", signoff_due_at=signoff, completion_limit_minutes=4320)
    assert status.expected(assigned) == signoff + timedelta(minutes=4320)
    done_by = AT + timedelta(days=1)
    accepted = row(status="accepted", signoff_due_at=signoff, completion_limit_minutes=4320,
                   completion_due_at=done_by)
    assert status.expected(accepted) == done_by
    assert status.expected({**accepted, "status": "in_progress"}) == done_by
    assert status.expected(row()) is None
    # The meeting, the department or the operators own these: no deadline runs.
    for owned in ("escalated", "referred", "returned", "resolved", "closed", "cancelled"):
        assert status.expected({**accepted, "status": owned}) is None, owned


def test_public_requests_carry_no_personal_data_and_local_times():
    request = status.public_request(row(status="assigned", grid_id="g-1", steward_id="s-1"))
    assert request["description"] is None
    flat = repr(request)
    for secret in ("u-1001", "2-301", "张三", "13800000000", "s-1", "elderly"):
        assert secret not in flat
    assert request["requested_datetime"].utcoffset() == timedelta(hours=8)
    assert request["requested_datetime"] == AT


def test_the_default_window_is_the_latest_90_days():
    now = AT
    assert query.window(None, None, now) == (now - timedelta(days=90), now)
    assert query.window(AT, None, now) == (AT, AT + timedelta(days=90))
    assert query.window(None, AT, now) == (AT - timedelta(days=90), AT)
    with pytest.raises(BadRequest, match="90 days"):
        query.window(AT - timedelta(days=91), AT, now)
    with pytest.raises(BadRequest, match="before"):
        query.window(AT, AT - timedelta(seconds=1), now)


@pytest.mark.parametrize("kwargs, message", [
    ({"start_date": "2026-11-01"}, "time zone"),
    ({"start_date": "yesterday"}, "W3C"),
    ({"end_date": "0001-01-01T00:00:00Z"}, "out of range"),
    ({"status": "pending"}, "status"),
    ({"service_code": "repair.pipe,pothole"}, "pothole"),
    ({"service_request_id": "iss-3f9c2a7d41b0e865,1 OR 1=1"}, "1 OR 1=1"),
])
def test_bad_arguments_are_400_naming_them(kwargs, message):
    args = dict.fromkeys(("service_request_id", "service_code", "start_date", "end_date",
                          "status"))
    args.update(kwargs)
    with pytest.raises(BadRequest, match=message):
        query.request_filter(**args)


def test_ids_override_every_other_filter_and_empty_means_absent():
    f = query.request_filter(service_request_id="iss-3f9c2a7d41b0e865, iss-0b1c2d3e4f5a6b7c",
                             service_code="nonsense", start_date="bad", end_date=None,
                             status="bad")
    assert f.ids == ["iss-3f9c2a7d41b0e865", "iss-0b1c2d3e4f5a6b7c"] and f.codes is None
    empty = query.request_filter(service_request_id="", service_code="", start_date="",
                                 end_date="", status="")
    assert empty == query.RequestFilter()


def test_attribute_answers_accept_both_spellings():
    pairs = [("attribute[vulnerable]", "elderly"), ("attribute[tags][]", "a"),
             ("attribute[tags][]", "b"), ("api_key", "k"), ("attributes", "x")]
    assert query.attribute_answers(pairs) == {"vulnerable": ["elderly"], "tags": ["a", "b"]}


def test_reporter_ids_are_pseudonymous_and_stable():
    a = query.reporter_id("k-1", email="Zhang@Example.org", device_id=None, account_id=None)
    assert a == query.reporter_id("k-1", email="zhang@example.org ", device_id="d",
                                  account_id="")
    assert "zhang" not in a and a.startswith("o311-k-1-")
    assert a != query.reporter_id("k-2", email="zhang@example.org", device_id=None,
                                  account_id=None)
    assert query.reporter_id("k-1", email=None, device_id=None, account_id=None) == "o311-k-1"


def test_every_category_is_a_service_and_paid_repairs_ask_for_agreement():
    codes = [s["service_code"] for s in services.service_list()]
    assert "repair.paid" in codes and "safety.fire" in codes
    paid = {a["code"]: a for a in services.definition("repair.paid")["attributes"]}
    assert paid["agree_to_pay"]["required"] is True
    assert {"vulnerable", "unit"} <= set(paid)
    assert "agree_to_pay" not in {a["code"] for a in services.attributes("repair.pipe")}
    with pytest.raises(NotFound):
        services.definition("pothole")


@pytest.mark.parametrize("code, given, message", [
    ("repair.paid", {}, "agree_to_pay] is required"),
    ("repair.paid", {"agree_to_pay": ["no"]}, "agreement"),
    ("repair.pipe", {"vulnerable": ["teen"]}, "one of: elderly, child"),
    ("repair.pipe", {"colour": ["red"]}, "not an attribute"),
    ("repair.pipe", {"unit": ["1", "2"]}, "one value"),
])
def test_bad_attribute_answers_are_refused(code, given, message):
    with pytest.raises(BadRequest, match=message):
        services.read_answers(code, given)


def test_good_attribute_answers_become_the_report_fields():
    answers = services.read_answers("repair.paid", {"agree_to_pay": ["yes"],
                                                    "vulnerable": ["child"], "unit": ["2-301"]})
    assert (answers.vulnerable, answers.unit) == ("child", "2-301")


def test_xml_is_utf8_with_a_declaration_and_the_spec_element_names():
    body = formats.to_xml("service_requests", [status.public_request(row(status="accepted"))])
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ElementTree.fromstring(body)
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
    assert root.find("request/status_notes").text == "已签收"
    assert root.find("request/requested_datetime").text == "2026-11-20T10:00:00+08:00"
    assert root.find("request/description").text is None


def test_xml_drops_characters_xml_cannot_carry():
    body = formats.to_xml("errors", [{"code": 400, "description": "bad\x01 value\x0b"}])
    assert ElementTree.fromstring(body).find("error/description").text == "bad value"
