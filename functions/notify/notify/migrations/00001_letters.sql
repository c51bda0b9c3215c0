-- +goose Up
-- One row per letter sent (or failed for good). letter_id is the MeMo
-- messageUUID, derived from the request event, so a redelivered request
-- finds its letter.
CREATE TABLE letters (
  letter_id    uuid PRIMARY KEY,
  request_src  text NOT NULL,
  request_id   text NOT NULL,
  kind         text NOT NULL,
  reference    text NOT NULL,
  status       text NOT NULL CHECK (status IN ('sent', 'failed')),
  channel      text NOT NULL DEFAULT '',
  language     text NOT NULL DEFAULT '',
  pdf_key      text NOT NULL DEFAULT '',
  memo_key     text NOT NULL DEFAULT '',
  failure      text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sms (
  message_id   uuid PRIMARY KEY,
  request_src  text NOT NULL,
  request_id   text NOT NULL,
  reference    text NOT NULL,
  status       text NOT NULL CHECK (status IN ('sent', 'skipped')),
  reason       text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE sms;
DROP TABLE letters;
