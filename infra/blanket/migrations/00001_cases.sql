-- +goose Up
-- cases: one row per case of a blanket family (for sickness: one absence),
-- in the function's own schema. state is the family's own state document,
-- small and versioned; the ledger keeps the history and the reasons.
CREATE TABLE blanket_cases (
    id          uuid        PRIMARY KEY,
    family      text        NOT NULL,
    -- case_key is the natural key of an open case (e.g. sender, person and
    -- first absence day); '' when none or when the case was withdrawn.
    case_key    text        NOT NULL DEFAULT '',
    tenant      text        NOT NULL,
    person      text        NOT NULL DEFAULT '',
    recipient   text        NOT NULL DEFAULT '',
    status      text        NOT NULL,
    version     int         NOT NULL,
    state       jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX blanket_cases_key ON blanket_cases (family, case_key) WHERE case_key <> '';
CREATE INDEX blanket_cases_tenant ON blanket_cases (tenant, created_at);

-- submissions: one row per submission decided (or rejected), so the sender's
-- receipt leads to the case and its outcome.
CREATE TABLE blanket_submissions (
    event_source text        NOT NULL,
    event_id     text        NOT NULL,
    blanket      text        NOT NULL,
    receipt      text        NOT NULL DEFAULT '',
    case_id      uuid,
    outcome      text        NOT NULL,
    decided_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_source, event_id)
);
CREATE INDEX blanket_submissions_case ON blanket_submissions (case_id);

-- +goose Down
DROP TABLE blanket_submissions;
DROP TABLE blanket_cases;
