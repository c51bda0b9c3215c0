-- +goose Up

-- One stream per recipient (municipality number or UDK). last_seq allocates
-- gapless sequence numbers under the row lock, so items commit in sequence
-- order and a reader never skips one; delivered_seq is the one cursor both
-- fetch+acknowledge and push advance.
CREATE TABLE recipients (
    recipient       text PRIMARY KEY,
    last_seq        bigint NOT NULL DEFAULT 0,
    delivered_seq   bigint NOT NULL DEFAULT 0,
    delivered_at    timestamptz,
    sink_url        text,
    sink_set_at     timestamptz,
    sink_set_by     text,
    push_attempts   integer NOT NULL DEFAULT 0,
    next_push_at    timestamptz,
    last_push_error text,
    CHECK (delivered_seq <= last_seq)
);

CREATE TABLE items (
    recipient     text NOT NULL REFERENCES recipients (recipient),
    seq           bigint NOT NULL,
    item_id       text NOT NULL UNIQUE,
    kind          text NOT NULL,
    case_ref      text NOT NULL,
    sender        text NOT NULL DEFAULT '',
    feedback      boolean NOT NULL,
    payload       jsonb NOT NULL,
    document_refs text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (recipient, seq)
);
CREATE INDEX items_case_ref ON items (case_ref);

-- The feedback loop per absence (only absences whose items have feedback).
CREATE TABLE absences (
    absence_id  text PRIMARY KEY,
    recipient   text NOT NULL,
    sender_cvr  text NOT NULL DEFAULT '',
    feedback    boolean NOT NULL DEFAULT false,
    case_number text,
    status      text NOT NULL DEFAULT 'delivered',
    status_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE status_history (
    absence_id text NOT NULL,
    status     text NOT NULL,
    changed_at timestamptz NOT NULL,
    note_da    text,
    note_en    text,
    event_id   text NOT NULL,
    PRIMARY KEY (absence_id, event_id)
);

CREATE TABLE expectations (
    absence_id  text PRIMARY KEY,
    sender_cvr  text NOT NULL,
    recipient   text,
    computed_at timestamptz NOT NULL,
    periods     jsonb NOT NULL
);

CREATE TABLE decisions (
    absence_id  text NOT NULL,
    decision_id text NOT NULL,
    decided_on  date NOT NULL,
    outcome     text NOT NULL,
    periods     jsonb NOT NULL,
    refusal     jsonb,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (absence_id, decision_id)
);

CREATE TABLE payments (
    absence_id        text NOT NULL,
    payment_reference text NOT NULL,
    amount_ore        bigint NOT NULL,
    period_from       date NOT NULL,
    period_to         date NOT NULL,
    paid_on           date NOT NULL,
    PRIMARY KEY (absence_id, payment_reference)
);

-- Deadlines for the sender, from any source (expectation, status, decision).
CREATE TABLE deadlines (
    absence_id text NOT NULL,
    kind       text NOT NULL,
    due        date NOT NULL,
    text_da    text NOT NULL,
    text_en    text NOT NULL,
    source     text NOT NULL,
    PRIMARY KEY (absence_id, kind, due)
);

-- The data-foundation feed (seeds/004 chapter 37).
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

-- Administration.
CREATE TABLE dpo_links (
    municipality text PRIMARY KEY,
    url          text NOT NULL,
    updated_at   timestamptz NOT NULL,
    updated_by   text NOT NULL
);

CREATE TABLE population_tables (
    year      integer PRIMARY KEY,
    source    text NOT NULL,
    synthetic boolean NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now(),
    loaded_by text NOT NULL
);

CREATE TABLE populations (
    year         integer NOT NULL REFERENCES population_tables (year) ON DELETE CASCADE,
    municipality text NOT NULL,
    inhabitants  bigint NOT NULL CHECK (inhabitants >= 0),
    PRIMARY KEY (year, municipality)
);

-- +goose Down
DROP TABLE populations, population_tables, dpo_links, dfdg_subscriptions, dfdg_notices, dfdg_absences,
    deadlines, payments, decisions, expectations, status_history, absences, items, recipients;
