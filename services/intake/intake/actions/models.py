"""Request bodies of the resident actions (and staff comments)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class Comment(BaseModel):
    """A message on the issue's timeline, read by the resident and the grid's staff."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"text": "下午三点后家里有人 (someone is home after 3 pm)"}]})
    text: Text


class Cancel(BaseModel):
    """Withdraw the report; only before work starts."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"reason": "已自行解决 (fixed it myself)"}]})
    reason: Text | None = Field(None, description="Optional: why the report is withdrawn")


class Confirm(BaseModel):
    """Accept the fix; the issue closes."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


class Reopen(BaseModel):
    """发回重办: the fix did not hold; the issue goes back to its grid."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"reason": "下水道又堵了 (the drain is blocked again)"}]})
    reason: Text = Field(description="Required: what is still wrong")


class Rate(BaseModel):
    """回访: one rating per issue, after it is resolved."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"score": 5, "comment": "师傅很准时 (on time, thank you)"}]})
    score: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")
    comment: Text | None = None
