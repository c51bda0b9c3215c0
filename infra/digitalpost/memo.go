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
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"nemrefusion.dk/events/ids"
)

// Namespaces of the MeMo 1.1 schema (memo-1.1/) that a message of ours
// uses, with the prefixes public SF1601 integrations send them with.
const (
	// Namespace is the MeMo namespace (prefix memo).
	Namespace = "https://DigitalPost.dk/MeMo-1"
	// NamespaceGrd is the namespace of the common data model's address
	// (grd:Address), imported by MeMo (prefix grd).
	NamespaceGrd = "https://data.gov.dk/model/core/"
)

// prefixes maps each namespace a message uses to the prefix Marshal writes.
var prefixes = map[string]string{Namespace: "memo", NamespaceGrd: "grd"}

// TypeDigital is the messageType of every message we send. MeMo 1.1 knows
// only DIGITALPOST and NEMSMS (memoMessageType in memo-1.1/MeMo_dataTypes.xsd):
// a paper letter is a DIGITALPOST message with the recipient's postal
// address in AttentionData, sent to the paper-print route (Print), as SF1601
// takes the channel from the request (KombiValgKode "Fysisk Post") and not
// from the message.
const TypeDigital = "DIGITALPOST"

// ID types of senders and recipients.
const (
	IDTypeCPR = "CPR"
	IDTypeCVR = "CVR"
)

// Message is a MeMo message. Its fields are the subset of MeMo 1.1 we send,
// in the schema's order; Marshal writes it with the memo: and grd: prefixes.
type Message struct {
	XMLName        xml.Name      `xml:"https://DigitalPost.dk/MeMo-1 Message"`
	MemoVersion    string        `xml:"memoVersion,attr"`
	MemoSchVersion string        `xml:"memoSchVersion,attr"`
	Header         MessageHeader `xml:"https://DigitalPost.dk/MeMo-1 MessageHeader"`
	Body           MessageBody   `xml:"https://DigitalPost.dk/MeMo-1 MessageBody"`
}

// MessageHeader says what the message is, who sends it and to whom.
type MessageHeader struct {
	MessageType string `xml:"https://DigitalPost.dk/MeMo-1 messageType"`
	MessageUUID string `xml:"https://DigitalPost.dk/MeMo-1 messageUUID"`
	// Label is the title the recipient sees in the mailbox.
	Label             string    `xml:"https://DigitalPost.dk/MeMo-1 label"`
	Mandatory         bool      `xml:"https://DigitalPost.dk/MeMo-1 mandatory"`
	LegalNotification bool      `xml:"https://DigitalPost.dk/MeMo-1 legalNotification"`
	Sender            Sender    `xml:"https://DigitalPost.dk/MeMo-1 Sender"`
	Recipient         Recipient `xml:"https://DigitalPost.dk/MeMo-1 Recipient"`
}

// Sender is the authority sending (always by CVR).
type Sender struct {
	SenderID string `xml:"https://DigitalPost.dk/MeMo-1 senderID"`
	IDType   string `xml:"https://DigitalPost.dk/MeMo-1 idType"`
	Label    string `xml:"https://DigitalPost.dk/MeMo-1 label"`
}

// Recipient is a person (CPR) or a company (CVR). A paper letter carries
// the postal address in AttentionData.
type Recipient struct {
	RecipientID   string         `xml:"https://DigitalPost.dk/MeMo-1 recipientID"`
	IDType        string         `xml:"https://DigitalPost.dk/MeMo-1 idType"`
	Label         string         `xml:"https://DigitalPost.dk/MeMo-1 label,omitempty"`
	AttentionData *AttentionData `xml:"https://DigitalPost.dk/MeMo-1 AttentionData,omitempty"`
}

// AttentionData is MeMo's "att." of a sender or recipient; we use the
// person's name and the structured address (grd:Address).
type AttentionData struct {
	AttentionPerson *AttentionPerson `xml:"https://DigitalPost.dk/MeMo-1 AttentionPerson,omitempty"`
	Address         *Address         `xml:"https://data.gov.dk/model/core/ Address,omitempty"`
}

// AttentionPerson names the person the letter is for.
type AttentionPerson struct {
	PersonID string `xml:"https://DigitalPost.dk/MeMo-1 personID,omitempty"`
	Label    string `xml:"https://DigitalPost.dk/MeMo-1 label,omitempty"`
}

// Address is grd:Address of the common data model (memo-1.1/MeMo_grd.xsd):
// street name (addressLabel), house number, floor and door, postal code,
// city and country, all optional in the schema.
type Address struct {
	AddressLabel string `xml:"https://data.gov.dk/model/core/ addressLabel,omitempty"`
	HouseNumber  string `xml:"https://data.gov.dk/model/core/ houseNumber,omitempty"`
	Door         string `xml:"https://data.gov.dk/model/core/ door,omitempty"`
	Floor        string `xml:"https://data.gov.dk/model/core/ floor,omitempty"`
	ZipCode      string `xml:"https://data.gov.dk/model/core/ zipCode,omitempty"`
	City         string `xml:"https://data.gov.dk/model/core/ city,omitempty"`
	Country      string `xml:"https://data.gov.dk/model/core/ country,omitempty"`
}

// PostalAddress is where a paper letter is posted, as the registers give
// it: Street is the whole street line ("Vestergade 1, 3. th").
type PostalAddress struct {
	Name       string
	Street     string
	PostalCode string
	City       string
	Country    string
}

// MessageBody holds the documents.
type MessageBody struct {
	CreatedDateTime time.Time    `xml:"https://DigitalPost.dk/MeMo-1 createdDateTime"`
	MainDocument    MainDocument `xml:"https://DigitalPost.dk/MeMo-1 MainDocument"`
}

// MainDocument is the letter itself.
type MainDocument struct {
	MainDocumentID string `xml:"https://DigitalPost.dk/MeMo-1 mainDocumentID"`
	Label          string `xml:"https://DigitalPost.dk/MeMo-1 label"`
	File           File   `xml:"https://DigitalPost.dk/MeMo-1 File"`
}

// File is one file of a document, base64 in Content.
type File struct {
	EncodingFormat string `xml:"https://DigitalPost.dk/MeMo-1 encodingFormat"`
	Filename       string `xml:"https://DigitalPost.dk/MeMo-1 filename"`
	Language       string `xml:"https://DigitalPost.dk/MeMo-1 language"`
	Content        string `xml:"https://DigitalPost.dk/MeMo-1 content"`
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
	// Paper makes a letter for paper print: Address is then required and
	// goes into the recipient's AttentionData.
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
		if l.Address == nil {
			return Message{}, fmt.Errorf("%w: a paper letter needs a postal address", ErrInvalid)
		}
		m.Header.Recipient.AttentionData = attention(*l.Address)
		if err := m.CheckPaper(); err != nil {
			return Message{}, err
		}
	}
	return m, m.Check()
}

// streetLine is a Danish street line: street name, house number and
// optionally floor and door ("Vestergade 1", "Vej 2, 3. th", "Gade 7A, st.").
var streetLine = regexp.MustCompile(`^(\S.*?) (\d{1,4}[A-ZÆØÅ]?)(?:, (st|kl|\d{1,2})\.(?: (th|tv|mf|\d{1,4}))?)?$`)

// attention is a's MeMo form: the name as AttentionPerson and the address
// as grd:Address. The street line is split into street name, house number,
// floor and door when it has that form and joins back to the same line;
// otherwise it is kept whole as the street name, so nothing is lost.
func attention(a PostalAddress) *AttentionData {
	ad := &Address{AddressLabel: a.Street, ZipCode: a.PostalCode, City: a.City, Country: a.Country}
	if p := streetLine.FindStringSubmatch(a.Street); p != nil {
		split := Address{AddressLabel: p[1], HouseNumber: p[2], Floor: p[3], Door: p[4]}
		if split.street() == a.Street {
			ad.AddressLabel, ad.HouseNumber, ad.Floor, ad.Door = split.AddressLabel, split.HouseNumber, split.Floor, split.Door
		}
	}
	d := &AttentionData{Address: ad}
	if a.Name != "" {
		d.AttentionPerson = &AttentionPerson{Label: a.Name}
	}
	return d
}

// street joins street name, house number, floor and door to one line.
func (a Address) street() string {
	s := a.AddressLabel
	if a.HouseNumber != "" {
		s += " " + a.HouseNumber
	}
	if a.Floor != "" {
		s += ", " + a.Floor + "."
		if a.Door != "" {
			s += " " + a.Door
		}
	} else if a.Door != "" {
		s += ", " + a.Door
	}
	return s
}

// PostalAddress returns the recipient's postal address from AttentionData
// (nil when the message has none).
func (m Message) PostalAddress() *PostalAddress {
	d := m.Header.Recipient.AttentionData
	if d == nil || d.Address == nil {
		return nil
	}
	a := &PostalAddress{Street: d.Address.street(), PostalCode: d.Address.ZipCode, City: d.Address.City, Country: d.Address.Country}
	if d.AttentionPerson != nil {
		a.Name = d.AttentionPerson.Label
	}
	return a
}

// CheckPaper verifies what a letter for paper print needs besides Check: a
// postal address with name, street and city.
func (m Message) CheckPaper() error {
	if a := m.PostalAddress(); a == nil || a.Name == "" || a.Street == "" || a.City == "" {
		return fmt.Errorf("%w: a paper letter needs a postal address with name, street and city", ErrInvalid)
	}
	return nil
}

// memoUUID is memoUuidType of the schema: a version 4 UUID.
var memoUUID = regexp.MustCompile(`^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-4[a-fA-F0-9]{3}-[aAbB89][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$`)

// DerivedUUID is a messageUUID derived from name (the same name gives the
// same UUID, so a retry resends it): the SHA-1 name-based UUID of name in
// namespace with the version bits set to 4, since MeMo takes version 4
// UUIDs only (memoUuidType). The other 122 bits are the hash's.
func DerivedUUID(namespace uuid.UUID, name []byte) string {
	u := uuid.NewSHA1(namespace, name)
	u[6] = u[6]&0x0f | 0x40
	return u.String()
}

// Check verifies the rules every message must meet, which keep it valid
// against the MeMo 1.1 schema: a version 4 UUID, a label, a sender CVR, a
// valid recipient, texts of at most 256 characters, a created time and a
// PDF main document. CheckPaper adds the postal address a paper letter needs.
func (m Message) Check() error {
	h := m.Header
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrInvalid, what) }
	// uuid.Parse also takes "{…}" and "urn:uuid:…" forms without checking the
	// wrapper characters; only the canonical 36-character form is a MeMo UUID.
	if u, err := uuid.Parse(h.MessageUUID); err != nil || u.String() != strings.ToLower(h.MessageUUID) || !memoUUID.MatchString(h.MessageUUID) {
		return bad("messageUUID is not a version 4 UUID")
	}
	if h.MessageType != TypeDigital {
		return bad("messageType must be " + TypeDigital)
	}
	if h.Label == "" || utf8.RuneCountInString(h.Label) > 255 {
		return bad("label must have 1 to 255 characters")
	}
	texts := []string{h.Label, h.Sender.Label, h.Recipient.Label, m.Body.MainDocument.Label, m.Body.MainDocument.File.Filename}
	if d := h.Recipient.AttentionData; d != nil {
		if p := d.AttentionPerson; p != nil {
			texts = append(texts, p.PersonID, p.Label)
		}
		if a := d.Address; a != nil {
			texts = append(texts, a.AddressLabel, a.HouseNumber, a.Door, a.Floor, a.ZipCode, a.City, a.Country)
		}
	}
	for _, s := range texts {
		if !xmlText(s) {
			return bad("text must be UTF-8 with only characters XML allows")
		}
		// memoTextType: at most 256 characters.
		if utf8.RuneCountInString(s) > 256 {
			return bad("a text has more than 256 characters")
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
	// xs:dateTime has no year 0, and Marshal writes four-digit years only.
	if c := m.Body.CreatedDateTime; c.IsZero() || c.Year() < 1 || c.Year() > 9999 {
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

// Marshal returns the message as XML with a declaration, in the shape
// public SF1601 integrations send: the root declares the memo and grd
// prefixes and every element carries its prefix (<memo:Message
// xmlns:memo=… xmlns:grd=…>, <memo:MessageHeader>, <grd:Address>), no
// default namespace.
func (m Message) Marshal() ([]byte, error) {
	plain, err := xml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("digitalpost: marshal MeMo: %w", err)
	}
	// encoding/xml writes a default namespace on each element; decode its
	// output and write it again with the prefixes.
	var out bytes.Buffer
	out.WriteString(xml.Header)
	enc := xml.NewEncoder(&out)
	enc.Indent("", "  ")
	dec := xml.NewDecoder(bytes.NewReader(plain))
	root := true
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("digitalpost: marshal MeMo: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name, err := prefixed(t.Name)
			if err != nil {
				return nil, err
			}
			var attrs []xml.Attr
			if root {
				attrs = append(attrs, xml.Attr{Name: xml.Name{Local: "xmlns:memo"}, Value: Namespace},
					xml.Attr{Name: xml.Name{Local: "xmlns:grd"}, Value: NamespaceGrd})
				root = false
			}
			for _, a := range t.Attr {
				if a.Name.Space == "" && a.Name.Local != "xmlns" {
					attrs = append(attrs, xml.Attr{Name: xml.Name{Local: a.Name.Local}, Value: a.Value})
				}
			}
			err = enc.EncodeToken(xml.StartElement{Name: name, Attr: attrs})
			if err != nil {
				return nil, fmt.Errorf("digitalpost: marshal MeMo: %w", err)
			}
		case xml.EndElement:
			name, err := prefixed(t.Name)
			if err != nil {
				return nil, err
			}
			if err := enc.EncodeToken(xml.EndElement{Name: name}); err != nil {
				return nil, fmt.Errorf("digitalpost: marshal MeMo: %w", err)
			}
		case xml.CharData:
			if err := enc.EncodeToken(t); err != nil {
				return nil, fmt.Errorf("digitalpost: marshal MeMo: %w", err)
			}
		}
	}
	if err := enc.Flush(); err != nil {
		return nil, fmt.Errorf("digitalpost: marshal MeMo: %w", err)
	}
	return out.Bytes(), nil
}

// prefixed is n with its namespace's prefix (memo:label, grd:city).
func prefixed(n xml.Name) (xml.Name, error) {
	p, ok := prefixes[n.Space]
	if !ok {
		return xml.Name{}, fmt.Errorf("digitalpost: marshal MeMo: element %s in no known namespace %q", n.Local, n.Space)
	}
	return xml.Name{Local: p + ":" + n.Local}, nil
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
