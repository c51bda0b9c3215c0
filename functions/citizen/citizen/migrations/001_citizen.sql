-- +goose Up
-- One row per absence the sick person has tasks for (from
-- citizen.tasks.requested). cpr is personal data: never log it.
CREATE TABLE absences (
  id            text PRIMARY KEY,
  cpr           text NOT NULL,
  person_kind   text NOT NULL CHECK (person_kind IN ('employee', 'self-employed', 'unemployed-member')),
  municipality  text NOT NULL,
  sender_name   text NOT NULL DEFAULT '',
  sender_cvr    text NOT NULL DEFAULT '',
  first_day     date NOT NULL,
  last_day      date,                    -- the sender's last absence day
  report        jsonb,                   -- the sender's report as the person sees it
  legal_ack_at  timestamptz,             -- the legal text acknowledged (once per absence)
  recovered_on  date,                    -- the last absence day the person reported
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX absences_cpr ON absences (cpr);

-- The tasks of an absence, in the order they are shown.
CREATE TABLE tasks (
  id           text PRIMARY KEY,
  absence_id   text NOT NULL REFERENCES absences (id),
  kind         text NOT NULL,
  position     int NOT NULL,
  status       text NOT NULL CHECK (status IN ('open', 'answered')),
  deadline     date NOT NULL,
  created_on   date NOT NULL,
  answered_at  timestamptz,
  answer_id    text
);
CREATE INDEX tasks_absence ON tasks (absence_id, position);

-- Every answer, recovery, partial resumption and documentation sent: the
-- receipts of "Mit forløb". One answer per task (the unique index is what
-- makes a double submission impossible).
CREATE TABLE answers (
  id               text PRIMARY KEY,
  absence_id       text NOT NULL REFERENCES absences (id),
  task_id          text,
  kind             text NOT NULL,
  body             jsonb NOT NULL,
  signed           boolean NOT NULL,
  sent             boolean NOT NULL,
  document_refs    text[] NOT NULL DEFAULT '{}',
  actor            text NOT NULL,
  role             text NOT NULL,
  on_behalf_of     text NOT NULL DEFAULT '',
  submitted_at     timestamptz NOT NULL,
  delivery_item_id text NOT NULL DEFAULT '',
  receipt_status   text NOT NULL DEFAULT '' CHECK (receipt_status IN ('', 'requested', 'sent', 'failed')),
  receipt_pdf      text NOT NULL DEFAULT '',
  receipt_channel  text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX answers_one_per_task ON answers (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX answers_absence ON answers (absence_id, submitted_at);

-- The information form's draft (kladde): kept across log-outs until the
-- form is sent.
CREATE TABLE drafts (
  absence_id  text PRIMARY KEY REFERENCES absences (id),
  draft       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text NOT NULL
);

-- Uploads as the documents function announced them (document.accepted /
-- document.rejected). Only accepted ones may go with an answer.
CREATE TABLE documents (
  id          text PRIMARY KEY,
  absence_id  text NOT NULL DEFAULT '',
  title       text NOT NULL,
  status      text NOT NULL CHECK (status IN ('accepted', 'rejected')),
  reason      text NOT NULL DEFAULT '',
  decided_at  timestamptz NOT NULL
);
CREATE INDEX documents_absence ON documents (absence_id);

-- +goose Down
DROP TABLE documents;
DROP TABLE drafts;
DROP TABLE answers;
DROP TABLE tasks;
DROP TABLE absences;
