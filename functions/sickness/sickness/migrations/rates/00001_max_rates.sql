-- +goose Up
-- max_rates: the versioned table of maximum sygedagpenge rates
-- (sygedagpengeloven § 50, stk. 1), owned by the sickness function. One row
-- per version of a year's rate, never changed: a provisional rate replaced
-- or published gets a new version; the rate of a year is its highest
-- version. Seeded from the committed functions/kernel/rates.json; the admin
-- API adds the rest, and every change is sent as rate.registered.v1.
CREATE TABLE max_rates (
    id             bigserial   PRIMARY KEY,
    year           int         NOT NULL CHECK (year BETWEEN 1900 AND 2199),
    version        int         NOT NULL CHECK (version >= 1),
    effective_from date        NOT NULL,
    weekly_ore     bigint      NOT NULL CHECK (weekly_ore > 0),
    -- hourly = weekly / 37, rounded half up to whole øre (checked in code).
    hourly_ore     bigint      NOT NULL CHECK (hourly_ore > 0),
    source         text        NOT NULL CHECK (source <> ''),
    status         text        NOT NULL CHECK (status IN ('published', 'provisional')),
    added_by       text        NOT NULL,
    added_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (year, version),
    CHECK (extract(year FROM effective_from) = year)
);

-- +goose Down
DROP TABLE max_rates;
