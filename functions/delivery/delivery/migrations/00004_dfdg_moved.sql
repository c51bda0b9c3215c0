-- +goose Up

-- The data-foundation feed is its own function now (functions/dfdg, schema
-- dfdg), whose first migration copies these rows; delivery keeps no copy.
DROP TABLE dfdg_subscriptions, dfdg_notices, dfdg_absences;

-- +goose Down
CREATE TABLE dfdg_absences (
    absence_id              text PRIMARY KEY,
    cpr                     text,
    first_day               date,
    last_day                date,
    sick_registered_on      date,
    recovery_registered_on  date,
    cancelled               boolean NOT NULL DEFAULT false,
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dfdg_notices (
    event_id      text PRIMARY KEY,
    absence_id    text NOT NULL,
    kind          text NOT NULL,
    first_day     date NOT NULL,
    last_day      date,
    registered_on date NOT NULL,
    reporter      text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dfdg_notices_absence ON dfdg_notices (absence_id);

CREATE TABLE dfdg_subscriptions (
    absence_id  text NOT NULL,
    subscriber  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    notified_at timestamptz,
    PRIMARY KEY (absence_id, subscriber)
);
