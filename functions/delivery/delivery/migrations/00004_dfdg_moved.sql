-- +goose Up

-- The data-foundation feed is its own function now (functions/dfdg, schema
-- dfdg), whose first migration copies these rows; delivery keeps no copy.
-- Dropped only once that copy committed (dfdg.notices exists): when
-- delivery migrates first (both start at once locally), the old tables
-- stay, unread, rather than lose rows dfdg has not copied yet.
-- +goose StatementBegin
DO $$
BEGIN
  IF to_regclass('dfdg.notices') IS NOT NULL THEN
    DROP TABLE dfdg_subscriptions, dfdg_notices, dfdg_absences;
  END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
CREATE TABLE IF NOT EXISTS dfdg_absences (
    absence_id              text PRIMARY KEY,
    cpr                     text,
    first_day               date,
    last_day                date,
    sick_registered_on      date,
    recovery_registered_on  date,
    cancelled               boolean NOT NULL DEFAULT false,
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS dfdg_notices (
    event_id      text PRIMARY KEY,
    absence_id    text NOT NULL,
    kind          text NOT NULL,
    first_day     date NOT NULL,
    last_day      date,
    registered_on date NOT NULL,
    reporter      text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS dfdg_notices_absence ON dfdg_notices (absence_id);

CREATE TABLE IF NOT EXISTS dfdg_subscriptions (
    absence_id  text NOT NULL,
    subscriber  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    notified_at timestamptz,
    PRIMARY KEY (absence_id, subscriber)
);
