-- +goose Up
-- Who is party to an absence or case, so that only a party may attach a
-- document to it: the sick person ("cpr:<cpr>"), the sender that reported
-- ("cvr:<cvr>") and each receiving authority ("municipality:<no>", "udk"),
-- as auth.Principal.Tenant names them. Filled from citizen.tasks.requested
-- (person, sender, municipality) and delivery.requested (sender,
-- recipient). Personal data (the CPR number): read only to decide.
CREATE TABLE absence_parties (
  absence_id  text NOT NULL,
  party       text NOT NULL,
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (absence_id, party)
);

-- +goose Down
DROP TABLE absence_parties;
