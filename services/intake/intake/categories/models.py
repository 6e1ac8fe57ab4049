"""Response model of GET /v1/categories."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CategoryView(BaseModel):
    """A category: labels, whether the repairer comes, and the limits in force."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "repair.pipe", "label": "管道疏通", "label_zh": "管道疏通",
        "label_en": "Pipe unclogging", "needs_repairer": True, "priority": "normal",
        "signoff_minutes": 120, "completion_minutes": 4320, "limits_source": "default"}]})

    code: str = Field(description="Stable code, used in reports")
    label: str = Field(description="The label in the language asked for by Accept-Language")
    label_zh: str
    label_en: str
    needs_repairer: bool = Field(description="Whether dispatch assigns the grid's repairer too")
    priority: Literal["urgent", "normal", "low"]
    signoff_minutes: int = Field(description="Sign-off (签收) limit, counted from assignment")
    completion_minutes: int = Field(description="Completion limit, counted from sign-off")
    limits_source: Literal["default", "community"] = Field(
        description="`community` when an admin changed this category's limits in the caller's "
                    "community; `default` for the catalogue's (always, without a token)")
