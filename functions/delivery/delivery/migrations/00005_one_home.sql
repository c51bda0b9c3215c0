-- +goose Up

-- One home per fact about an absence. The recipient and the sender's CVR
-- of a feedback loop are those of its first item with feedback (items
-- holds them); its status is the newest in status_history (before any,
-- 'delivered' since that first item); a row in absences means the loop is
-- open, so the feedback flag said nothing. The expectation's recipient was
-- never read. feedback_loops derives what the copies held; absences keeps
-- only what no other table knows (the case number) and the row every piece
-- of feedback about the absence locks.
ALTER TABLE absences DROP COLUMN recipient, DROP COLUMN sender_cvr, DROP COLUMN feedback,
    DROP COLUMN status, DROP COLUMN status_at;
ALTER TABLE expectations DROP COLUMN recipient;

CREATE INDEX items_case_ref_feedback ON items (case_ref, created_at, recipient, seq) WHERE feedback;
CREATE INDEX status_history_newest ON status_history (absence_id, changed_at DESC, event_id DESC);

CREATE VIEW feedback_loops AS
SELECT a.absence_id, a.case_number, first.recipient,
    COALESCE((SELECT substring(i.sender FROM '^(?:cvr:)?([0-9]{8})$') FROM items i
        WHERE i.case_ref = a.absence_id AND i.feedback AND i.sender ~ '^(cvr:)?[0-9]{8}$'
        ORDER BY i.created_at, i.recipient, i.seq LIMIT 1), '') AS sender_cvr,
    COALESCE(h.status, 'delivered') AS status, COALESCE(h.changed_at, first.created_at) AS status_at
FROM absences a
CROSS JOIN LATERAL (SELECT i.recipient, i.created_at FROM items i WHERE i.case_ref = a.absence_id AND i.feedback
    ORDER BY i.created_at, i.recipient, i.seq LIMIT 1) first
LEFT JOIN LATERAL (SELECT s.status, s.changed_at FROM status_history s WHERE s.absence_id = a.absence_id
    ORDER BY s.changed_at DESC, s.event_id DESC LIMIT 1) h ON true;

-- +goose Down
ALTER TABLE absences
    ADD COLUMN recipient text NOT NULL DEFAULT '',
    ADD COLUMN sender_cvr text NOT NULL DEFAULT '',
    ADD COLUMN feedback boolean NOT NULL DEFAULT true,
    ADD COLUMN status text NOT NULL DEFAULT 'delivered',
    ADD COLUMN status_at timestamptz NOT NULL DEFAULT now();
UPDATE absences a SET recipient = l.recipient, sender_cvr = l.sender_cvr, status = l.status, status_at = l.status_at
    FROM feedback_loops l WHERE l.absence_id = a.absence_id;
ALTER TABLE absences ALTER COLUMN recipient DROP DEFAULT, ALTER COLUMN feedback SET DEFAULT false;
DROP VIEW feedback_loops;
DROP INDEX status_history_newest, items_case_ref_feedback;
ALTER TABLE expectations ADD COLUMN recipient text;
