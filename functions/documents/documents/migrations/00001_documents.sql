-- +goose Up
-- One row per upload. The row's status is the gate: only an 'accepted'
-- document may be read (through a presigned URL of the documents bucket);
-- an 'awaiting-scan' one sits in the quarantine bucket until clamd answers.
CREATE TABLE documents (
  id            uuid PRIMARY KEY,
  tenant        text NOT NULL,          -- auth.Principal.Tenant() of the uploader (may hold a CPR: never log)
  uploader      text NOT NULL,          -- the uploader's subject
  role          text NOT NULL,
  title         text NOT NULL,
  absence_id    text NOT NULL DEFAULT '',
  filename      text NOT NULL,
  content_type  text NOT NULL,
  size          bigint NOT NULL,
  sha256        text NOT NULL,
  status        text NOT NULL CHECK (status IN ('awaiting-scan', 'accepted', 'rejected')),
  reason        text NOT NULL DEFAULT '',
  signature     text NOT NULL DEFAULT '',
  attempts      int NOT NULL DEFAULT 0,
  next_scan_at  timestamptz NOT NULL DEFAULT now(),
  uploaded_at   timestamptz NOT NULL DEFAULT now(),
  decided_at    timestamptz
);

CREATE INDEX documents_awaiting_scan ON documents (next_scan_at) WHERE status = 'awaiting-scan';

-- +goose Down
DROP TABLE documents;
