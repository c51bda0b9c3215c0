-- +goose Up

-- Issue 18: the sender's list is a work list. Submissions the rules
-- refused (blanket.rejected.v1) are rows of it, one per rejected
-- submission: key is the receipt number when the rejection has one (the
-- same rejection twice, under any event id, stores once), else the event
-- id. sender_cvr is the CVR of the sender tenant ("cvr:<cvr>").
CREATE TABLE rejections (
    key        text PRIMARY KEY,
    event_id   text NOT NULL,
    sender_cvr text NOT NULL,
    blanket    text NOT NULL,
    receipt    text NOT NULL DEFAULT '',
    absence_id text NOT NULL DEFAULT '',
    reasons    jsonb NOT NULL,
    at         timestamptz NOT NULL
);
CREATE INDEX rejections_sender ON rejections (sender_cvr, at DESC);
CREATE INDEX rejections_absence ON rejections (absence_id) WHERE absence_id <> '';

-- The person an absence is about, so the list can search by CPR and name
-- in SQL: the CPR digits from the first item's submission, and the name
-- once the registers told it (name_at; NULL while not learnt, so a
-- register outage is retried on the next list).
CREATE TABLE absence_persons (
    absence_id text PRIMARY KEY,
    cpr        text NOT NULL,
    name       text NOT NULL DEFAULT '',
    name_at    timestamptz
);
CREATE INDEX absence_persons_unnamed ON absence_persons (absence_id) WHERE name_at IS NULL;

INSERT INTO absence_persons (absence_id, cpr)
SELECT DISTINCT ON (case_ref) case_ref, payload->'submission'->>'cpr' FROM items
WHERE payload->'submission'->>'cpr' ~ '^[0-9]{10}$'
ORDER BY case_ref, created_at, seq
ON CONFLICT DO NOTHING;

-- +goose Down
DROP TABLE absence_persons, rejections;
