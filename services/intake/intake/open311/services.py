"""The category catalogue as GeoReport services, their extra questions, and the answers a
POST may give to them. Pure functions over `redgrid_shared.catalog`."""

from dataclasses import dataclass
from datetime import timedelta

from intake.open311.errors import BadRequest, NotFound
from redgrid_shared import catalog


@dataclass(frozen=True)
class Answers:
    """What the attributes of a POST mean for the report."""

    vulnerable: str | None = None
    unit: str | None = None


VULNERABLE = {
    "variable": True, "code": "vulnerable", "datatype": "singlevaluelist", "required": False,
    "datatype_description": None, "order": 1,
    "description": "一老一小：是否为独居老人或独自在家的儿童？(handled as urgent)",
    "values": [{"key": "elderly", "name": "独居老人 (elderly person living alone)"},
               {"key": "child", "name": "独自在家的儿童 (child alone at home)"}],
}
UNIT = {
    "variable": True, "code": "unit", "datatype": "string", "required": False,
    "datatype_description": "如 2-301 (up to 32 characters; never shown publicly)", "order": 2,
    "description": "房号：户内问题请填写 (unit, for problems inside a home)", "values": [],
}
AGREE_TO_PAY = {
    "variable": True, "code": "agree_to_pay", "datatype": "singlevaluelist", "required": True,
    "datatype_description": None, "order": 3,
    "description": "户内有偿维修按价目表收费，是否同意？(in-home repairs are paid by the "
                   "resident at the posted rates; do you agree?)",
    "values": [{"key": "yes", "name": "同意 (I agree to pay)"},
               {"key": "no", "name": "不同意 (I do not agree)"}],
}
# Extra questions per category; every category asks about 一老一小 and the unit.
EXTRA: dict[str, list[dict]] = {"repair.paid": [AGREE_TO_PAY]}


def _limit(delta: timedelta) -> str:
    hours = delta / timedelta(hours=1)
    if hours < 1:
        return f"{int(delta / timedelta(minutes=1))} 分钟"
    return f"{int(hours)} 小时" if hours < 48 else f"{int(hours // 24)} 天"


def notice(code: str) -> str:
    """The service level a reporter can expect, from the category's default limits."""
    c = catalog.CATEGORIES[code]
    return (f"{_limit(c.signoff)}内签收，签收后{_limit(c.completion)}内办结；一老一小加急"
            f"（30 分钟签收，24 小时办结）。")


def service(code: str) -> dict:
    c = catalog.CATEGORIES[code]
    return {"service_code": c.code, "service_name": c.label_zh,
            "description": f"{c.label_en}. {notice(c.code)}", "metadata": True,
            "type": "realtime", "keywords": ", ".join([c.label_en, *c.code.split(".")]),
            "group": c.code.split(".")[0]}


def service_list() -> list[dict]:
    return [service(code) for code in catalog.CATEGORIES]


def attributes(code: str) -> list[dict]:
    if code not in catalog.CATEGORIES:
        raise NotFound(f"service_code {code} was not found")
    return [VULNERABLE, UNIT, *EXTRA.get(code, [])]


def definition(code: str) -> dict:
    return {"service_code": code, "attributes": attributes(code)}


def read_answers(code: str, given: dict[str, list[str]]) -> Answers:
    """Check the `attribute[code]` values of a POST against the service's definition."""
    questions = {a["code"]: a for a in attributes(code)}
    unknown = sorted(set(given) - set(questions))
    if unknown:
        raise BadRequest(f"attribute[{unknown[0]}] is not an attribute of service {code}")
    answers: dict[str, str | None] = {}
    for name, question in questions.items():
        values = [v for v in given.get(name, []) if v != ""]
        if not values:
            if question["required"]:
                raise BadRequest(f"attribute[{name}] is required for service {code}")
            answers[name] = None
            continue
        if len(values) > 1:
            raise BadRequest(f"attribute[{name}] takes one value")
        keys = [v["key"] for v in question["values"]]
        if keys and values[0] not in keys:
            raise BadRequest(f"attribute[{name}] must be one of: {', '.join(keys)}")
        answers[name] = values[0]
    if answers.get("agree_to_pay") == "no":
        raise BadRequest("attribute[agree_to_pay]: a paid in-home repair needs the resident's "
                         "agreement to pay; report a shared-area problem as repair.public")
    return Answers(vulnerable=answers["vulnerable"], unit=answers["unit"])
