"""The demo community's past year as a paper ledger (台账), built from PRODUCT.md's figures.

The year is the twelve months before the current one (Asia/Shanghai). Four channels make
the figures, each counted by one stats query (docs/demo.md):

- 逢四说事: 24 meetings held; 720 problems collected at them (`source=meeting`), 460 handled
  (380 by the grid, 80 resolved by a later meeting), 260 still open (referred to departments,
  assigned to units by a meeting, or in progress).
- red-property jobs reported by app, hotline and grid visits, all done: 261 paid in-home
  repairs, 412 public repairs, 56 pipe unclogs, 3 air-conditioner drips, 76 seepage jobs.
- two joint campaigns with the street office, housing and police: 64 fire hazards cleared,
  103 environment and neighbour problems solved.

Everything depends only on the month of `now`, so the same month always yields the same file.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta

from redgrid_dev import demo_directory
from redgrid_shared.ledger.rows import MEETING_TIME, TZ

JOBS = (("repair.paid", 261), ("repair.public", 412), ("repair.pipe", 56),
        ("repair.ac_drip", 3), ("repair.seepage", 76))
MEETINGS_HELD = 24
AT_MEETING, MEETING_HANDLED = 720, 460
FIRE, ENVIRONMENT, NEIGHBOUR = 64, 63, 40
CAMPAIGNS = {
    "fire-lanes": ("消防通道与飞线充电专项整治", "street_office;police;fire"),
    "env-neighbour": ("环境卫生与邻里纠纷联合整治", "street_office;housing;police"),
}
MEETING_CATEGORIES = ("service.needs", "service.hardship", "service.comfort", "service.health",
                      "service.care", "service.urgent", "suggestion", "safety.security",
                      "environment.sanitation", "dispute.neighbor", "other")
TEXTS = {
    "repair.paid": ("热水器不出热水，请上门维修", "卧室门锁坏了", "卫生间水龙头漏水", "家里插座跳闸"),
    "repair.public": ("楼道声控灯不亮", "单元门禁坏了", "电梯按钮失灵", "楼梯扶手松动"),
    "repair.pipe": ("厨房下水道堵塞", "马桶堵了", "阳台地漏返水"),
    "repair.ac_drip": ("楼上空调外机滴水到我家窗台",),
    "repair.seepage": ("卫生间天花板渗水", "外墙渗水，墙皮脱落", "楼上漏水到我家客厅"),
    "safety.fire": ("楼道内电动车飞线充电", "消防通道被车辆堵塞", "楼道堆放杂物影响疏散"),
    "environment.sanitation": ("垃圾桶满了没人清运", "绿化带有大量垃圾", "楼下污水横流有异味"),
    "dispute.neighbor": ("楼上深夜噪音扰民", "邻居占用公共楼道", "宠物粪便无人清理引发争执"),
    "service.needs": ("希望增设便民理发点", "老年食堂用餐预约"),
    "service.hardship": ("困难家庭申请帮扶", "独居老人生活困难"),
    "service.comfort": ("请网格员走访独居老人",), "service.health": ("希望组织义诊",),
    "service.care": ("重阳节慰问高龄老人",), "service.urgent": ("老人摔倒需要帮助",),
    "suggestion": ("建议增加健身器材", "建议规范电动车停放"),
    "safety.security": ("小区门口夜间照明不足", "陌生人在楼道推销"),
    "other": ("小区围墙破损无人管",),
}
PAID_AMOUNTS = (30, 50, 80, 120, 150, 200, 260, 350)
OPEN_OUTCOMES = {"referred": 120, "assigned": 60}


def year_of(now: datetime) -> tuple[datetime, datetime]:
    """[start, end): the twelve Shanghai months before the month of `now`."""
    local = now.astimezone(TZ)
    end = datetime(local.year, local.month, 1, tzinfo=TZ)
    start = datetime(end.year - 1, end.month, 1, tzinfo=TZ)
    return start, end


def meeting_days(start: datetime, end: datetime) -> list[date]:
    """The 24 meeting days held: of every 4th, 14th and 24th in the year, two in three."""
    days, day = [], start.date()
    while day < end.date():
        if day.day in (4, 14, 24):
            days.append(day)
        day += timedelta(days=1)
    return [d for i, d in enumerate(days) if i % 3 != 2][:MEETINGS_HELD]


class Ledger:
    """Builds rows; `now` bounds every time (a ledger records the past)."""

    def __init__(self, now: datetime):
        self.now, self.rows = now, []
        self.start, self.end = year_of(now)
        self.rng = random.Random(f"redgrid-demo-ledger/{self.start:%Y-%m}")
        self.grids = demo_directory.grids()

    def row(self, category: str, source: str, reported: datetime, **extra) -> dict:
        rng = self.rng
        building = f"b-{rng.randint(1, 12):02d}"
        grid_id, grid = next((g, v) for g, v in self.grids.items() if building in v["buildings"])
        row = {"ledger_id": f"EQX-{len(self.rows) + 1:05d}", "category": category,
               "description": rng.choice(TEXTS[category]), "building": building,
               "source": source, "reporter": f"u-{1001 + rng.randrange(300)}",
               "reported_at": reported.isoformat(), "grid": grid_id, "steward": grid["steward"],
               "repairer": grid["repairer"], **extra}
        if category.startswith("repair.") or category == "dispute.neighbor":
            row["unit"] = f"{rng.randint(1, 3)}-{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
        self.rows.append(row)
        return row

    def moment(self, first: datetime, last: datetime) -> datetime:
        """A working-hours moment between two times."""
        span = max(int((last - first).total_seconds()), 1)
        at = first + timedelta(seconds=self.rng.randrange(span))
        local = at.astimezone(TZ)
        return local.replace(hour=8 + local.hour % 12, minute=local.minute)

    def work(self, row: dict, reported: datetime, *, finish: bool = True) -> None:
        """Sign-off, resolution, then confirmation or silence, and often a rating."""
        rng = self.rng
        signed = reported + timedelta(minutes=rng.choice((5, 12, 20, 35, 50, 80, 110, 150)))
        row["signed_off_at"] = signed.isoformat()
        if not finish:
            return
        resolved = signed + timedelta(hours=rng.choice((1, 2, 4, 6, 20, 30, 50, 80)))
        row["resolved_at"] = resolved.isoformat()
        row["resolution"] = "已处理完毕"
        if row["category"] == "repair.paid":
            row["amount"] = str(rng.choice(PAID_AMOUNTS))
        self.close(row, resolved)

    def close(self, row: dict, resolved: datetime) -> None:
        rng = self.rng
        silent = rng.random() < 0.15
        closed = resolved + (timedelta(days=7) if silent else timedelta(hours=rng.randint(2, 60)))
        if closed >= self.now:
            return  # still within the resident's days to answer
        row["closed_at"] = closed.isoformat()
        row["close_reason"] = "no_response_7_days" if silent else "confirmed"
        if not silent and rng.random() < 0.75:
            row["rating"] = rng.choices((5, 4, 3, 2), weights=(62, 28, 8, 2))[0]
            row["rated_at"] = closed.isoformat()


def build(now: datetime) -> list[dict]:
    """Every row of the demo year, in report order within each channel."""
    ledger = Ledger(now)
    _meetings(ledger)
    last = ledger.end - timedelta(days=5)  # leave time for the work to finish in the year
    for category, count in JOBS:
        for _ in range(count):
            source = ledger.rng.choices(("app", "hotline", "grid_visit"), weights=(55, 25, 20))[0]
            reported = ledger.moment(ledger.start, last)
            ledger.work(ledger.row(category, source, reported), reported)
    _campaign(ledger, "fire-lanes", [("safety.fire", FIRE)], months=(2, 5))
    _campaign(ledger, "env-neighbour", [("environment.sanitation", ENVIRONMENT),
                                        ("dispute.neighbor", NEIGHBOUR)], months=(5, 9))
    return ledger.rows


def _meetings(ledger: Ledger) -> None:
    """30 problems collected at each meeting; some decided at the next one."""
    rng, days = ledger.rng, meeting_days(ledger.start, ledger.end)
    per = AT_MEETING // len(days)
    decided = ["resolved"] * 80 + ["referred"] * OPEN_OUTCOMES["referred"] + \
              ["assigned"] * OPEN_OUTCOMES["assigned"]
    grid_only = ["closed"] * (MEETING_HANDLED - 80) + \
                ["working"] * (AT_MEETING - MEETING_HANDLED - len(decided) + 80)
    # Problems from the last meeting have no later meeting in the year to decide them.
    last_batch = ["closed"] * 20 + ["working"] * (per - 20)
    for item in last_batch:
        grid_only.remove(item)
    pool = decided + grid_only
    rng.shuffle(pool)
    for k, day in enumerate(days):
        outcomes = last_batch if k == len(days) - 1 else pool[k * per:(k + 1) * per]
        for i, outcome in enumerate(outcomes):
            held = datetime.combine(day, MEETING_TIME, TZ) + timedelta(minutes=5 * i)
            category = rng.choice(MEETING_CATEGORIES)
            row = ledger.row(category, "meeting", held, raised_at_meeting=day.isoformat())
            if outcome in ("closed", "working"):
                ledger.work(row, held, finish=outcome == "closed")
                continue
            after = days[k + 1]
            eve = datetime.combine(after - timedelta(days=1), time(17), TZ)
            row["escalated_at"] = eve.isoformat()
            row["meeting_date"] = after.isoformat()
            row["meeting_decision"] = outcome
            if outcome == "referred":
                row["department"] = rng.choice(("street_office", "housing", "police"))
            elif outcome == "assigned":
                row["meeting_unit"] = rng.choice(("后盾单位：区住建局", "后盾单位：供电所",
                                                  "楼栋长与志愿者"))
            else:
                resolved = datetime.combine(after, MEETING_TIME, TZ)
                row["resolution"] = "说事会议定并当场解决"
                ledger.close(row, resolved)


def _campaign(ledger: Ledger, campaign_id: str, parts: list[tuple[str, int]],
              months: tuple[int, int]) -> None:
    name, departments = CAMPAIGNS[campaign_id]
    first = ledger.start + timedelta(days=30 * months[0])
    last = min(ledger.start + timedelta(days=30 * months[1]), ledger.end - timedelta(days=5))
    for category, count in parts:
        for _ in range(count):
            reported = ledger.moment(first, last)
            row = ledger.row(category, "grid_visit", reported, campaign=campaign_id,
                             campaign_name=name, campaign_departments=departments)
            ledger.work(row, reported)


def jsonl(now: datetime) -> str:
    """The demo year as JSON Lines, the format `import-ledger` takes."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in build(now))
