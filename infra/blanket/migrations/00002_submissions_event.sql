-- +goose Up
-- Pending looks a submission up by its event id alone (the accept step's
-- opener extension names the id).
CREATE INDEX blanket_submissions_event ON blanket_submissions (event_id);

-- +goose Down
DROP INDEX blanket_submissions_event;
