"""Ledger import, dispatch's part: the staff's facts, meetings and campaigns of the past.

    POST /v1/admin/import (admin) -> shared parse and plan -> one transaction:
        issue.assigned / accepted / escalated / referred / resolved / closed (imported)
        on issue-<id>, meeting.held on meeting-<community>/<date>, campaign.* on
        campaign-<community>/<id>

Only events are written: no working rows, so no clock ever runs for an imported issue and no
task list shows it; the consumer skips intake's imported reports instead of routing them.
"""

from redgrid_shared import topics
from redgrid_shared.ledger.route import make_router

router = make_router(service="dispatch", topic=topics.DISPATCH_EVENTS)
