-- +goose Up
-- "Status på min sag" (seeds/003): what the municipality's case system
-- answered about the absence (case.status.changed, refusion.decided), one
-- row per absence; the newest status and the newest decision win.
CREATE TABLE case_status (
  absence_id   text PRIMARY KEY REFERENCES absences (id),
  status       text NOT NULL DEFAULT '',
  changed_at   timestamptz,
  note_da      text NOT NULL DEFAULT '',
  note_en      text NOT NULL DEFAULT '',
  decision_id  text NOT NULL DEFAULT '',
  decided_on   date,
  outcome      text NOT NULL DEFAULT '',
  periods      jsonb NOT NULL DEFAULT '[]'
);

-- +goose Down
DROP TABLE case_status;
