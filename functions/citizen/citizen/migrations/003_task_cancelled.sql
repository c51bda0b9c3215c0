-- +goose Up
-- A task may be cancelled: the person reported themself fit before
-- answering a task that applies only while the absence runs (the
-- information form, tasks.EndedByRecovery); answered_at is when it closed.
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'answered', 'cancelled'));

-- +goose Down
UPDATE tasks SET status = 'answered' WHERE status = 'cancelled';
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'answered'));
