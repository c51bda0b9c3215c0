package events

import "time"

// Document event types. The documents function emits them after an upload
// was scanned.
const (
	// DocumentAccepted says an uploaded document was scanned clean and is
	// now in the documents bucket.
	DocumentAccepted = "dk.nemrefusion.document.accepted.v1"
	// DocumentRejected says an uploaded document was rejected (infected, or
	// too large to scan) and deleted.
	DocumentRejected = "dk.nemrefusion.document.rejected.v1"
)

// TickDocumentsRescan makes the documents function scan again what is still
// awaiting a scan (clamd was down).
const TickDocumentsRescan = "documents-rescan"

// Reasons a document is rejected.
const (
	DocumentInfected = "infected"
	DocumentTooLarge = "too-large"
)

// DocumentAcceptedData is the data of DocumentAccepted.
type DocumentAcceptedData struct {
	DocumentID  string    `json:"documentId"`
	Title       string    `json:"title"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	AbsenceID   string    `json:"absenceId,omitempty"`
	AcceptedAt  time.Time `json:"acceptedAt"`
}

// DocumentRejectedData is the data of DocumentRejected.
type DocumentRejectedData struct {
	DocumentID string `json:"documentId"`
	Title      string `json:"title"`
	// Reason is DocumentInfected or DocumentTooLarge.
	Reason string `json:"reason"`
	// Signature names what the scanner found (infected only).
	Signature  string    `json:"signature,omitempty"`
	AbsenceID  string    `json:"absenceId,omitempty"`
	RejectedAt time.Time `json:"rejectedAt"`
}
