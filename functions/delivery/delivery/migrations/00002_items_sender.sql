-- +goose Up

-- The sender's list of absences (GET /api/v1/feedback/absences) reads the
-- items a CVR sent.
CREATE INDEX items_sender ON items (sender, case_ref);

-- +goose Down
DROP INDEX items_sender;
