-- +goose Up
-- Every reminder, the source of truth. Redis holds only the schedule
-- (id by due time) and is rebuilt from the rows with status 'scheduled'
-- (infra/schedule.RebuildFromPostgres reads id, due_at and status).
CREATE TABLE reminders (
    id            text        PRIMARY KEY,
    kind          text        NOT NULL,
    subject_type  text        NOT NULL,
    subject_id    text        NOT NULL,
    due_at        timestamptz NOT NULL,
    status        text        NOT NULL CHECK (status IN ('scheduled', 'fired', 'cancelled')),
    -- The ReminderSchedule as received (may hold a CPR number: never log it).
    data          jsonb       NOT NULL,
    correlation   text        NOT NULL DEFAULT '',
    cause         text        NOT NULL DEFAULT '',
    scheduled_at  timestamptz NOT NULL DEFAULT now(),
    fired_at      timestamptz,
    cancelled_at  timestamptz,
    cancel_reason text
);
CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'scheduled';
CREATE INDEX reminders_subject ON reminders (subject_type, subject_id);

-- A cancellation by subject, kept so that a reminder.scheduled for the
-- subject that was sent before the cancellation but arrives after it (the
-- broker does not order across producers) is stored as cancelled.
CREATE TABLE subject_cancellations (
    subject_type text        NOT NULL,
    subject_id   text        NOT NULL,
    cancelled_at timestamptz NOT NULL,
    PRIMARY KEY (subject_type, subject_id)
);

-- +goose Down
DROP TABLE subject_cancellations;
DROP TABLE reminders;
