// Package digitalpost is the adapter to Digital Post, the public mailbox
// every Danish resident and company has: it builds MeMo messages (the
// message format of Digital Post), sends them, and queues letters for paper
// print and posting for people exempt from Digital Post.
//
// Three parts: Build and Parse for MeMo-shaped XML (MessageHeader with
// messageType, messageUUID, label, Sender and Recipient; MessageBody with
// createdDateTime and the main document as a base64 file); the Deliverer
// interface with its HTTP Client; and StandIn, a local http.Handler that
// receives what the client sends, records it and deduplicates on
// messageUUID, as the real service does.
//
// Idempotency: a message is identified by its messageUUID. Sending the same
// UUID again is acknowledged as a duplicate and delivers nothing new, so a
// caller that derives the UUID from the request it serves can retry freely.
package digitalpost

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"nemrefusion.dk/events/ids"
)

// Namespace is the MeMo XML namespace.
const Namespace = "https://DigitalPost.dk/MeMo-1"

// Message types. DIGITALPOST goes to the recipient's digital mailbox;
// FYSISKPOST is printed and posted (recipients exempt from Digital Post).
const (
	TypeDigital = "DIGITALPOST"
	TypePaper   = "FYSISKPOST"
)

// ID types of senders and recipients.
const (
	IDTypeCPR = "CPR"
	IDTypeCVR = "CVR"
)

// Message is a MeMo message.
type Message struct {
	XMLName        xml.Name      `xml:"https://DigitalPost.dk/MeMo-1 Message"`
	MemoVersion    string        `xml:"memoVersion,attr"`
	MemoSchVersion string        `xml:"memoSchVersion,attr"`
	Header         MessageHeader `xml:"MessageHeader"`
	Body           MessageBody   `xml:"MessageBody"`
}

// MessageHeader says what the message is, who sends it and to whom.
type MessageHeader struct {
	MessageType string `xml:"messageType"`
	MessageUUID string `xml:"messageUUID"`
	// Label is the title the recipient sees in the mailbox.
	Label             string    `xml:"label"`
	Mandatory         bool      `xml:"mandatory"`
	LegalNotification bool      `xml:"legalNotification"`
	Sender            Sender    `xml:"Sender"`
	Recipient         Recipient `xml:"Recipient"`
}

// Sender is the authority sending (always by CVR).
type Sender struct {
	SenderID string `xml:"senderID"`
	IDType   string `xml:"idType"`
	Label    string `xml:"label"`
}

// Recipient is a person (CPR) or a company (CVR). A paper letter also
// carries the postal address.
type Recipient struct {
	RecipientID   string         `xml:"recipientID"`
	IDType        string         `xml:"idType"`
	Label         string         `xml:"label,omitempty"`
	PostalAddress *PostalAddress `xml:"PostalAddress,omitempty"`
}

// PostalAddress is where a paper letter is posted.
type PostalAddress struct {
	Name       string `xml:"name"`
	Street     string `xml:"street"`
	PostalCode string `xml:"postalCode"`
	City       string `xml:"city"`
	Country    string `xml:"country"`
}

// MessageBody holds the documents.
type MessageBody struct {
	CreatedDateTime time.Time    `xml:"createdDateTime"`
	MainDocument    MainDocument `xml:"MainDocument"`
}

// MainDocument is the letter itself.
type MainDocument struct {
	MainDocumentID string `xml:"mainDocumentID"`
	Label          string `xml:"label"`
	File           File   `xml:"File"`
}

// File is one file of a document, base64 in Content.
type File struct {
	EncodingFormat string `xml:"encodingFormat"`
	Filename       string `xml:"filename"`
	Language       string `xml:"language"`
	Content        string `xml:"content"`
}

// Letter is what Build needs.
type Letter struct {
	// UUID identifies the message; derive it from the request so a retry
	// sends the same UUID.
	UUID string
	// Label is the title in the mailbox.
	Label string
	// SenderCVR and SenderName are the authority.
	SenderCVR  ids.CVR
	SenderName string
	// Exactly one of RecipientCPR and RecipientCVR is set.
	RecipientCPR ids.CPR
	RecipientCVR ids.CVR
	// RecipientName is the recipient's name (optional for digital post).
	RecipientName string
	// Paper makes a FYSISKPOST message; Address is then required.
	Paper   bool
	Address *PostalAddress
	// Created is when the letter was made.
	Created time.Time
	// PDF is the letter; Filename its file name; Language "da" or "en".
	PDF      []byte
	Filename string
	Language string
}

// ErrInvalid is wrapped by every error Build and Parse return for a message
// that breaks the rules below; such a message can never be sent.
var ErrInvalid = errors.New("digitalpost: invalid message")

// Build makes a MeMo message of l and checks it.
func Build(l Letter) (Message, error) {
	m := Message{
		MemoVersion: "1.1", MemoSchVersion: "1.1.0",
		Header: MessageHeader{
			MessageType: TypeDigital, MessageUUID: l.UUID, Label: l.Label,
			Sender: Sender{SenderID: l.SenderCVR.String(), IDType: IDTypeCVR, Label: l.SenderName},
		},
		Body: MessageBody{
			CreatedDateTime: l.Created.UTC().Truncate(time.Second),
			MainDocument: MainDocument{
				MainDocumentID: l.UUID, Label: l.Label,
				File: File{EncodingFormat: "application/pdf", Filename: l.Filename, Language: l.Language,
					Content: base64.StdEncoding.EncodeToString(l.PDF)},
			},
		},
	}
	switch {
	case !l.RecipientCPR.IsZero() && l.RecipientCVR.IsZero():
		m.Header.Recipient = Recipient{RecipientID: l.RecipientCPR.String(), IDType: IDTypeCPR, Label: l.RecipientName}
	case l.RecipientCPR.IsZero() && !l.RecipientCVR.IsZero():
		m.Header.Recipient = Recipient{RecipientID: l.RecipientCVR.String(), IDType: IDTypeCVR, Label: l.RecipientName}
	default:
		return Message{}, fmt.Errorf("%w: exactly one of recipient CPR and CVR must be set", ErrInvalid)
	}
	if l.Paper {
		m.Header.MessageType = TypePaper
		m.Header.Recipient.PostalAddress = l.Address
	}
	return m, m.Check()
}

// Check verifies the rules every message must meet: a UUID, a label, a
// sender CVR, a valid recipient, a created time and a PDF main document
// (and a postal address for paper).
func (m Message) Check() error {
	h := m.Header
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrInvalid, what) }
	// uuid.Parse also takes "{…}" and "urn:uuid:…" forms without checking the
	// wrapper characters; only the canonical 36-character form is a MeMo UUID.
	if u, err := uuid.Parse(h.MessageUUID); err != nil || u.String() != strings.ToLower(h.MessageUUID) {
		return bad("messageUUID is not a UUID")
	}
	if h.MessageType != TypeDigital && h.MessageType != TypePaper {
		return bad("unknown messageType")
	}
	if h.Label == "" || len([]rune(h.Label)) > 255 {
		return bad("label must have 1 to 255 characters")
	}
	texts := []string{h.Label, h.Sender.Label, h.Recipient.Label, m.Body.MainDocument.Label, m.Body.MainDocument.File.Filename}
	if a := h.Recipient.PostalAddress; a != nil {
		texts = append(texts, a.Name, a.Street, a.PostalCode, a.City, a.Country)
	}
	for _, s := range texts {
		if !xmlText(s) {
			return bad("text must be UTF-8 with only characters XML allows")
		}
	}
	if _, err := ids.ParseCVR(h.Sender.SenderID); err != nil || h.Sender.IDType != IDTypeCVR {
		return bad("sender must be a CVR number")
	}
	switch h.Recipient.IDType {
	case IDTypeCPR:
		if _, err := ids.ParseCPR(h.Recipient.RecipientID); err != nil {
			return bad("recipient is not a CPR number")
		}
	case IDTypeCVR:
		if _, err := ids.ParseCVR(h.Recipient.RecipientID); err != nil {
			return bad("recipient is not a CVR number")
		}
	default:
		return bad("recipient idType must be CPR or CVR")
	}
	if h.MessageType == TypePaper {
		a := h.Recipient.PostalAddress
		if a == nil || a.Name == "" || a.Street == "" || a.City == "" {
			return bad("a paper letter needs a postal address with name, street and city")
		}
	}
	if m.Body.CreatedDateTime.IsZero() {
		return bad("createdDateTime is missing")
	}
	f := m.Body.MainDocument.File
	pdf, err := base64.StdEncoding.DecodeString(f.Content)
	if err != nil || f.EncodingFormat != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return bad("the main document must be a base64 PDF")
	}
	if f.Filename == "" || (f.Language != "da" && f.Language != "en") {
		return bad("the main document needs a file name and language da or en")
	}
	return nil
}

// xmlText reports whether s is valid UTF-8 of characters XML 1.0 allows
// (https://www.w3.org/TR/xml/#charsets); anything else would be replaced
// when the message is marshalled, so the recipient would see another text.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		ok := r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
		if !ok {
			return false
		}
	}
	return true
}

// Marshal returns the message as XML with a declaration.
func (m Message) Marshal() ([]byte, error) {
	b, err := xml.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("digitalpost: marshal MeMo: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}

// Parse reads and checks a MeMo message.
func Parse(b []byte) (Message, error) {
	var m Message
	if err := xml.Unmarshal(b, &m); err != nil {
		return Message{}, fmt.Errorf("%w: not MeMo XML: %w", ErrInvalid, err)
	}
	if m.XMLName.Space != Namespace {
		return Message{}, fmt.Errorf("%w: not in the MeMo namespace", ErrInvalid)
	}
	return m, m.Check()
}

// PDF returns the decoded main document.
func (m Message) PDF() ([]byte, error) {
	return base64.StdEncoding.DecodeString(m.Body.MainDocument.File.Content)
}
