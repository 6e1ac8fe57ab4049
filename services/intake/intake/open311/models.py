"""Models of the Open311 interface: the admin's API keys (JSON API) and, for the OpenAPI
document, the JSON shapes of GeoReport v2 answers (XML carries the same fields)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

KEY_EXAMPLE = {"id": "k-3c9e1a7f5b20", "name": "12345 热线对接", "source": "hotline",
               "community": "erqiaoxi", "created_by": "a-01",
               "created_at": "2026-11-30T02:00:00Z", "revoked_at": None}


class IssueKey(BaseModel):
    """Issue an Open311 API key to an application of the admin's community."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "12345 热线对接", "source": "hotline"}]})

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=100)] = Field(
        description="Who the key is for (an app, a hotline bridge)")
    source: Literal["app", "hotline"] = Field(
        "app", description="The `source` its reports carry")


class KeyView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [KEY_EXAMPLE]})

    id: str
    name: str
    source: str
    community: str = Field(description="The jurisdiction_id the key posts to")
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class KeyIssued(KeyView):
    """The new key; `api_key` is shown in this answer only (the server keeps its hash)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {**KEY_EXAMPLE, "api_key": "o311_q3J1b2x5LWV4YW1wbGUta2V5LW5vdC1yZWFsLTAwMDAwMA"}]})

    api_key: str


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class AttributeValue(BaseModel):
    key: str
    name: str


class Attribute(BaseModel):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist",
                      "multivaluelist"]
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue]


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[Attribute]


class ServiceRequest(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None = Field(description="Always null: free text is never public")
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str
    address_id: str


class RequestCreated(BaseModel):
    service_request_id: str
    service_notice: str | None
    account_id: str | None


class TokenAnswer(BaseModel):
    service_request_id: str
    token: str


class Endpoint(BaseModel):
    specification: str
    url: str
    changeset: datetime
    type: Literal["production", "test"]
    formats: list[str]


class Discovery(BaseModel):
    changeset: datetime
    contact: str
    key_service: str
    endpoints: list[Endpoint]
    jurisdictions: list[str] = Field(description="jurisdiction_id values (community ids) "
                                                 "served here; an extension of the spec")


class Open311Error(BaseModel):
    code: int = Field(description="The HTTP status")
    description: str
