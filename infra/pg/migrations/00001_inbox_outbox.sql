-- +goose Up
-- inbox: one row per consumed event, written in the same transaction as the
-- event's effect, so a redelivered event is recognised and has no effect.
CREATE TABLE inbox (
    source      text        NOT NULL,
    id          text        NOT NULL,
    type        text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, id)
);

-- outbox: events to publish, written in the same transaction as the state
-- change; sent after commit and marked sent; a tick re-sends stale ones.
CREATE TABLE outbox (
    seq          bigserial   PRIMARY KEY,
    event_id     text        NOT NULL UNIQUE,
    event_type   text        NOT NULL,
    partition_key text       NOT NULL DEFAULT '',
    event        jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    attempts     int         NOT NULL DEFAULT 0,
    last_error   text        NOT NULL DEFAULT '',
    sent_at      timestamptz
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE inbox;
