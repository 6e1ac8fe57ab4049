-- The staff workflow as the resident sees it, and the resident's own actions.
ALTER TABLE issues
    -- 办结: the note, the fee for paid work, and the end of the 7 days to reopen.
    ADD COLUMN resolution_note  text,
    ADD COLUMN amount_charged   numeric(12, 2),
    ADD COLUMN resolved_at      timestamptz,
    ADD COLUMN close_due_at     timestamptz,
    -- The department an issue was referred to (street_office, housing, police, fire).
    ADD COLUMN department       text,
    -- A cancel, confirm or reopen recorded by intake that dispatch has not settled yet:
    -- the status shows what it asked for until `issue.resident-action-settled` answers
    -- the event `pending_event_id`.
    ADD COLUMN pending_action   text CHECK (pending_action IN ('cancel', 'confirm', 'reopen')),
    ADD COLUMN pending_event_id uuid,
    -- 回访: one rating per issue.
    ADD COLUMN rating           smallint CHECK (rating BETWEEN 1 AND 5),
    ADD COLUMN rating_comment   text;
