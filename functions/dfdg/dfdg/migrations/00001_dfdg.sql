-- +goose Up

-- One row per absence the feed knows of. A notice locks it (FOR UPDATE)
-- and a lookup deciding whether to subscribe locks it FOR SHARE, so a
-- lookup either sees a recovery or is told about it later.
CREATE TABLE absences (
    absence_id text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The municipalities each absence was delivered to (from
-- delivery.requested): only they may look it up (seeds/004 § 133).
CREATE TABLE recipients (
    absence_id text NOT NULL,
    recipient  text NOT NULL,
    PRIMARY KEY (absence_id, recipient)
);

-- Every notice as it arrived (seeds/004 § 132 stk. 1), in arrival order
-- (seq, taken under the absence's lock). The absence's first and last day
-- and registration dates are read from these; they are stored nowhere else.
CREATE TABLE notices (
    event_id      text PRIMARY KEY,
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    absence_id    text NOT NULL,
    kind          text NOT NULL,
    first_day     date NOT NULL,
    last_day      date,
    registered_on date NOT NULL,
    reporter      text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_absence ON notices (absence_id, seq);

-- The municipalities that looked an absence up before its recovery and
-- are to be told when it arrives (§ 133 stk. 3).
CREATE TABLE subscriptions (
    absence_id  text NOT NULL,
    subscriber  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    notified_at timestamptz,
    PRIMARY KEY (absence_id, subscriber)
);

-- The feed lived in the delivery function's schema (delivery.dfdg_*)
-- before it was a function of its own: where those tables still exist,
-- their rows move here (deploy dfdg before the delivery version whose
-- migration 00004 drops them). The CPR number delivery kept is not moved:
-- nothing ever read it, lookups go by the absence's UUID.
-- +goose StatementBegin
DO $$
BEGIN
    IF to_regclass('delivery.dfdg_notices') IS NOT NULL THEN
        INSERT INTO absences (absence_id, created_at)
            SELECT absence_id, updated_at FROM delivery.dfdg_absences ON CONFLICT DO NOTHING;
        INSERT INTO notices (event_id, absence_id, kind, first_day, last_day, registered_on, reporter, received_at)
            SELECT event_id, absence_id, kind, first_day, last_day, registered_on, reporter, received_at
            FROM delivery.dfdg_notices ORDER BY received_at, event_id ON CONFLICT DO NOTHING;
        INSERT INTO subscriptions (absence_id, subscriber, created_at, notified_at)
            SELECT absence_id, subscriber, created_at, notified_at FROM delivery.dfdg_subscriptions ON CONFLICT DO NOTHING;
        INSERT INTO recipients (absence_id, recipient)
            SELECT DISTINCT case_ref, recipient FROM delivery.items WHERE recipient <> 'UDK' ON CONFLICT DO NOTHING;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE subscriptions, notices, recipients, absences;
