-- +goose Up
CREATE TABLE dead_letters (
    seq           bigserial   PRIMARY KEY,
    event_id      text        NOT NULL,
    event_source  text        NOT NULL,
    event_type    text        NOT NULL,
    partition_key text        NOT NULL,
    error_code    text        NOT NULL,
    error_dest    text        NOT NULL,
    event         jsonb       NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz
);

-- +goose Down
DROP TABLE dead_letters;
