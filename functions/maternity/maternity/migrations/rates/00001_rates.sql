-- +goose Up
-- rates: the maternity function's own copy of the maximum rates (the
-- barselsdagpenge maximum is the sygedagpenge maximum, sygedagpengeloven
-- § 50, stk. 1), one row per year: the version in use. Seeded from the
-- committed functions/kernel/rates.json, then kept from the sickness
-- function's rate.registered.v1 events (a higher or equal version replaces
-- the row). The sickness function owns the table of record (max_rates).
CREATE TABLE rates (
    year           int         PRIMARY KEY CHECK (year BETWEEN 1900 AND 2199),
    version        int         NOT NULL CHECK (version >= 1),
    rate_id        bigint,
    effective_from date        NOT NULL,
    weekly_ore     bigint      NOT NULL CHECK (weekly_ore > 0),
    hourly_ore     bigint      NOT NULL CHECK (hourly_ore > 0),
    source         text        NOT NULL CHECK (source <> ''),
    status         text        NOT NULL CHECK (status IN ('published', 'provisional')),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE rates;
