-- +goose Up
-- The submissions of one stream in the order accepted: the accept step
-- names the first blanket of a stream on every later one (events.ExtOpener).
CREATE INDEX submissions_stream ON submissions (stream, received_at, event_id);

-- +goose Down
DROP INDEX submissions_stream;
