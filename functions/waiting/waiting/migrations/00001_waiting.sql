-- +goose Up
-- Prepared blankets (ventefunktion, seeds/000 § 1 stk. 4): held here, never
-- sent to an authority until the sender submits them.
CREATE SEQUENCE receipt_seq;
CREATE TABLE prepared (
    id           uuid        PRIMARY KEY,
    cvr          text        NOT NULL,
    blanket_type text        NOT NULL,
    -- The blanket's data as the sender left it; validated only at submission.
    payload      jsonb       NOT NULL,
    stream       text        NOT NULL,
    due_date     date        NOT NULL,
    deadline     date,
    status       text        NOT NULL CHECK (status IN ('held', 'submitted', 'cancelled')),
    receipt      text,
    event_id     text,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    cancelled_at timestamptz
);
CREATE INDEX prepared_cvr ON prepared (cvr, status, due_date);

-- Where a sender wants alerts besides the inbox.
CREATE TABLE profiles (
    cvr        text        PRIMARY KEY,
    email      text        NOT NULL DEFAULT '',
    phone      text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The senders' inbox (the web app reads it); one message per reminder.
CREATE TABLE sender_inbox (
    id          bigserial   PRIMARY KEY,
    cvr         text        NOT NULL,
    reminder_id text        NOT NULL UNIQUE,
    kind        text        NOT NULL,
    subject_id  text        NOT NULL,
    title_da    text        NOT NULL,
    title_en    text        NOT NULL,
    body_da     text        NOT NULL,
    body_en     text        NOT NULL,
    deadline    date,
    link        text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
CREATE INDEX sender_inbox_cvr ON sender_inbox (cvr, created_at DESC);

-- Stand-in for the e-mail service (and SMS to a sender's own number, which
-- sms.requested cannot address): one row per message that would be sent.
CREATE TABLE message_outbox (
    id          bigserial   PRIMARY KEY,
    reminder_id text        NOT NULL,
    channel     text        NOT NULL CHECK (channel IN ('email', 'sms')),
    cvr         text        NOT NULL,
    address     text        NOT NULL,
    subject     text        NOT NULL,
    body        text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (reminder_id, channel)
);

-- +goose Down
DROP TABLE message_outbox;
DROP TABLE sender_inbox;
DROP TABLE profiles;
DROP TABLE prepared;
DROP SEQUENCE receipt_seq;
