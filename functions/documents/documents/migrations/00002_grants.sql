-- +goose Up
-- Who besides the uploader's tenant may read a document: the receiving
-- authority of a delivery the document went with (delivery.requested's
-- recipient and documentRefs). One row per document and recipient, however
-- many items or repeated events name it. No foreign key: a delivery may name
-- a document id this function never stored, and the grant is then harmless.
CREATE TABLE grants (
  document_id  uuid NOT NULL,
  recipient    text NOT NULL,          -- a municipality number ("101") or "UDK" (ids.Recipient)
  item_id      text NOT NULL,          -- the first delivery item that granted it
  granted_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (document_id, recipient)
);

-- +goose Down
DROP TABLE grants;
