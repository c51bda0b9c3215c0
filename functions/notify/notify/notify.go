// Package notify is the notify function: it consumes letter requests and
// SMS requests, writes letters as PDF and MeMo, stores both in the letters
// bucket and sends them through Digital Post, or to the paper-print queue
// for recipients exempt from Digital Post, and sends SMS through NemSMS to
// people signed up for it. A sender's receipt letter stays in the bucket
// and is downloadable again by the sender (GET /api/v1/receipts/{receipt}),
// and a citizen's answer receipt by that person (GET /api/v1/receipts/{answer}).
//
// Exactly once: the runtime's inbox acknowledges a redelivered event
// without effect. The send itself is idempotent too: the letter id (the
// MeMo messageUUID) and the SMS id are UUIDv5 of the request's source and
// id, and Digital Post and NemSMS deliver an id once. So a crash between
// the send and the commit, which makes the broker deliver the request
// again, sends the same id again and nothing twice.
//
// Failures: a register, the store, Digital Post or NemSMS that cannot be
// reached gives 503 and the broker retries; a request that can never
// succeed (unknown recipient, refused by Digital Post) gives letter.failed
// (or sms.skipped) and is acknowledged; data that does not fit its type gives 400
// (code invalid-data, runtime.Decode).
package notify

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/notify/letter"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/digitalpost"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/nemsms"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/s3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are notify's own tables.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// ObjectStore is where letters are kept (*s3.Store is one).
type ObjectStore interface {
	Put(ctx context.Context, bucket, key string, body io.ReadSeeker, contentType string) error
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, s3.Object, error)
}

// Deps are notify's adapters.
type Deps struct {
	// Persons gives language preference, Digital Post exemption, NemSMS
	// sign-up, name and address. Swap in the cached lookup freely.
	Persons registers.PersonRegister
	// Companies gives a company's name and address: letters name the
	// sending company, never only its CVR number.
	Companies registers.CompanyRegister
	Post      digitalpost.Deliverer
	SMS       nemsms.Sender
	Store     ObjectStore
	// Bucket is the letters bucket.
	Bucket string
	// Verify checks the tokens of the public receipt route.
	Verify *auth.Verifier
	// Portal is the address of Mit Sygefravær the sick person's letters
	// link to (MIT_SYGEFRAVAER_URL); "" gives letter.DefaultLink.
	Portal string
}

// Register adds notify's handlers and its one public route to svc.
func Register(svc *runtime.Service, d Deps) {
	h := &handler{d: d, svc: svc}
	runtime.On(svc, events.LetterRequested, h.letter)
	runtime.On(svc, events.SMSRequested, h.sms)
	svc.Mux.Handle("GET /api/v1/receipts/{receipt}", auth.Require(d.Verify)(http.HandlerFunc(h.receipt)))
}

type handler struct {
	d   Deps
	svc *runtime.Service
}

// idNamespace makes request-derived ids (UUIDv5).
var idNamespace = uuid.MustParse("6f1c7a3e-2f57-4c1e-9a4e-6e6f74696679")

// DerivedID is the id of the letter or SMS a request causes: the same
// request (source and id) always gives the same id.
func DerivedID(what string, ev cloudevents.Event) string {
	return digitalpost.DerivedUUID(idNamespace, []byte(what+"\x00"+ev.Source()+"\x00"+ev.ID()))
}

// unavailable wraps a transient failure as 503 (the broker retries).
func unavailable(what string, err error) error {
	return runtime.Fail(runtime.KindUnavailable, what+"-unavailable", "En bagvedliggende tjeneste svarer ikke. Prøv igen om lidt.",
		"A service behind us does not answer. Please try again shortly.", fmt.Errorf("%s: %w", what, err))
}

func (h *handler) letter(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, req events.LetterRequest) error {
	id := DerivedID("letter", ev)
	failed := func(code, da, en string) error {
		return h.letterFailed(ctx, tx, ev, id, req, code, da, en)
	}

	lang, recipientLines, paper, addr, err := h.recipient(ctx, req)
	switch {
	case errors.Is(err, registers.ErrNotFound):
		return failed("unknown-recipient", "Modtageren findes ikke i CPR.", "The recipient is not in CPR.")
	case err != nil:
		return unavailable("cpr", err)
	}
	data, companyLines, err := h.companies(ctx, req)
	if err != nil {
		return unavailable("cvr", err)
	}
	if recipientLines == nil {
		recipientLines = companyLines
	}
	from := authority(req.Sender)
	date := ev.Time().UTC()
	l, err := letter.Compose(letter.Input{Kind: req.Kind, Language: lang, Sender: from.Name, SenderCVR: from.CVR,
		Recipient: recipientLines, Date: date, Reference: req.Reference, Data: data, Link: h.d.Portal})
	if err != nil {
		return runtime.Fail(runtime.KindInvalid, "letter-data", "Brevets oplysninger er ufuldstændige.", "The letter's data is incomplete.", err)
	}
	pdf, err := letter.Render(l)
	if err != nil {
		return fmt.Errorf("render letter %s: %w", id, err)
	}
	m, err := digitalpost.Build(digitalpost.Letter{
		UUID: id, Label: l.Title, SenderCVR: req.Sender.CVR, SenderName: from.Name,
		RecipientCPR: req.Recipient.CPR, RecipientCVR: req.Recipient.CVR, RecipientName: first(recipientLines),
		Paper: paper, Address: addr, Created: date, PDF: pdf, Filename: req.Kind + ".pdf", Language: lang,
	})
	if err != nil {
		return failed("invalid-memo", "Brevet kunne ikke dannes som MeMo-besked.", "The letter could not be made into a MeMo message.")
	}
	memo, err := m.Marshal()
	if err != nil {
		return err
	}
	prefix := date.Format("2006/01/") + id
	pdfKey, memoKey := prefix+".pdf", prefix+".memo.xml"
	if err := h.d.Store.Put(ctx, h.d.Bucket, pdfKey, bytes.NewReader(pdf), "application/pdf"); err != nil {
		return unavailable("s3", err)
	}
	if err := h.d.Store.Put(ctx, h.d.Bucket, memoKey, bytes.NewReader(memo), "application/xml"); err != nil {
		return unavailable("s3", err)
	}
	var d digitalpost.Delivery
	if paper {
		d, err = h.d.Post.Print(ctx, m)
	} else {
		d, err = h.d.Post.Send(ctx, m)
	}
	var rej *digitalpost.RejectedError
	switch {
	case errors.As(err, &rej):
		return failed("refused-by-digital-post", "Digital Post afviste brevet.", "Digital Post refused the letter.")
	case err != nil:
		return unavailable("digitalpost", err)
	}
	runtime.Logger(ctx).InfoContext(ctx, "letter sent", "letter_id", id, "kind", req.Kind, "channel", d.Channel, "duplicate_send", d.Duplicate)
	// Whom it went to, so a receipt is downloadable again by its recipient
	// only (receipts.go): the CVR of a company, the CPR of a person.
	if _, err := tx.Exec(ctx, `INSERT INTO letters (letter_id, request_src, request_id, kind, reference, status, channel, language, pdf_key, memo_key, recipient_cvr, recipient_cpr)
		VALUES ($1, $2, $3, $4, $5, 'sent', $6, $7, $8, $9, $10, $11) ON CONFLICT (letter_id) DO NOTHING`,
		id, ev.Source(), ev.ID(), req.Kind, req.Reference, d.Channel, lang, pdfKey, memoKey, req.Recipient.CVR.String(), req.Recipient.CPR.String()); err != nil {
		return fmt.Errorf("store letter %s: %w", id, err)
	}
	out := events.LetterSentData{LetterID: id, Kind: req.Kind, Reference: req.Reference, Channel: d.Channel,
		Language: lang, PDF: pdfKey, MeMo: memoKey, SentAt: time.Now().UTC()}
	return emitRecorded(ctx, tx, ev, events.LetterSent, out)
}

// emitRecorded emits an event of typ with data and appends it to the ledger
// (in the request's stream) with that data as payload, which holds no CPR.
func emitRecorded(ctx context.Context, tx *runtime.Tx, cause cloudevents.Event, typ string, data any) error {
	out, err := tx.Emit(ctx, typ, events.PartitionKey(cause), data)
	if err != nil {
		return err
	}
	_, err = tx.Record(ctx, ledger.Entry{EventType: typ, EventSource: out.Source(), EventID: out.ID(), Payload: out.Data()})
	return err
}

func (h *handler) letterFailed(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, id string, req events.LetterRequest, code, da, en string) error {
	runtime.Logger(ctx).WarnContext(ctx, "letter failed for good", "letter_id", id, "kind", req.Kind, "code", code)
	if _, err := tx.Exec(ctx, `INSERT INTO letters (letter_id, request_src, request_id, kind, reference, status, failure)
		VALUES ($1, $2, $3, $4, $5, 'failed', $6) ON CONFLICT (letter_id) DO NOTHING`,
		id, ev.Source(), ev.ID(), req.Kind, req.Reference, code); err != nil {
		return fmt.Errorf("store failed letter %s: %w", id, err)
	}
	out := events.LetterFailedData{LetterID: id, Kind: req.Kind, Reference: req.Reference, Code: code, Da: da, En: en}
	return emitRecorded(ctx, tx, ev, events.LetterFailed, out)
}

// recipient decides language, address lines and channel. Companies (CVR)
// always get Digital Post, in Danish unless the request says otherwise.
func (h *handler) recipient(ctx context.Context, req events.LetterRequest) (lang string, lines []string, paper bool, addr *digitalpost.PostalAddress, err error) {
	lang = req.Language
	if req.Recipient.CPR.IsZero() {
		if lang == "" {
			lang = "da"
		}
		return lang, nil, false, nil, nil
	}
	p, err := h.d.Persons.Person(ctx, req.Recipient.CPR)
	if err != nil {
		return "", nil, false, nil, err
	}
	if lang == "" {
		lang = p.PreferredLanguage
	}
	if lang != "en" {
		lang = "da"
	}
	a := p.Address
	lines = []string{p.Name, a.Street, a.PostalCode + " " + a.City}
	if p.DigitalPostExempt {
		country := a.Country
		if country == "" {
			country = "DK"
		}
		addr = &digitalpost.PostalAddress{Name: p.Name, Street: a.Street, PostalCode: a.PostalCode, City: a.City, Country: country}
	}
	return lang, lines, p.DigitalPostExempt, addr, nil
}

// placeholderCVR is the CVR infra/blanket sends until it knows the
// authorities' numbers (blanket.PlaceholderAuthorityCVR); it is no real
// authority's, so a letter never prints it.
const placeholderCVR = "10000009"

// authority is the authority a letter is from: the table's entry for the
// name the request gives (letter.Authorities, with sources; its CVR is
// unknown where the sources hold none), else the request's own name and
// CVR unless that is the placeholder.
func authority(a events.Authority) letter.Authority {
	if t, ok := letter.AuthorityNamed(a.Name); ok {
		return t
	}
	cvr := a.CVR.String()
	if cvr == placeholderCVR {
		cvr = ""
	}
	return letter.Authority{Name: a.Name, CVR: cvr}
}

// companies puts company names where the request has CVR numbers: the
// receipt names the sending company (the letter's CVR recipient) and a
// notification letter says which company reported (reportedBy). It also
// gives a company recipient's address lines. A CVR the register does not
// know is printed as the number; a register that cannot be reached is an
// error (the broker retries).
func (h *handler) companies(ctx context.Context, req events.LetterRequest) (map[string]string, []string, error) {
	data := make(map[string]string, len(req.Data)+2)
	for k, v := range req.Data {
		data[k] = v
	}
	if h.d.Companies == nil {
		return data, nil, nil
	}
	lookup := func(s string) (registers.Company, bool, error) {
		cvr, err := ids.ParseCVR(s)
		if err != nil {
			return registers.Company{}, false, nil
		}
		co, err := h.d.Companies.Company(ctx, cvr)
		switch {
		case errors.Is(err, registers.ErrNotFound):
			return registers.Company{}, false, nil
		case err != nil:
			return registers.Company{}, false, err
		}
		return co, co.Name != "", nil
	}
	var lines []string
	if !req.Recipient.CVR.IsZero() {
		co, ok, err := lookup(req.Recipient.CVR.String())
		if err != nil {
			return nil, nil, err
		}
		if ok {
			a := co.Address
			lines = []string{co.Name}
			if a.Street != "" {
				lines = append(lines, a.Street, strings.TrimSpace(a.PostalCode+" "+a.City))
			}
			if req.Kind == events.LetterSenderReceipt {
				data[letter.DataCompany] = co.Name
			}
		}
		if req.Kind == events.LetterSenderReceipt {
			data[letter.DataCompanyCVR] = req.Recipient.CVR.String()
		}
	}
	if by := data["reportedBy"]; req.Kind == events.LetterNotification && by != "" {
		co, ok, err := lookup(by)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			data["reportedBy"] = co.Name
		}
	}
	return data, lines, nil
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func (h *handler) sms(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, req events.SMSRequest) error {
	id := DerivedID("sms", ev)
	skip := func(code string) error { return h.smsOutcome(ctx, tx, ev, id, req, code) }
	p, err := h.d.Persons.Person(ctx, req.Recipient.CPR)
	switch {
	case errors.Is(err, registers.ErrNotFound):
		return skip("unknown-person")
	case err != nil:
		return unavailable("cpr", err)
	case p.NemSMS == "":
		// Only people signed up for NemSMS get SMS.
		return skip("not-signed-up")
	}
	text := req.Text
	if p.PreferredLanguage == "en" && req.TextEn != "" {
		text = req.TextEn // the person's language (CPR); Danish otherwise
	}
	_, err = h.d.SMS.Send(ctx, nemsms.Message{ID: id, CPR: req.Recipient.CPR, SenderCVR: req.Sender.CVR, Text: text})
	switch {
	case errors.Is(err, nemsms.ErrNotSignedUp):
		return skip("not-signed-up")
	case errors.Is(err, nemsms.ErrTooLong), errors.Is(err, nemsms.ErrInvalid):
		return runtime.Fail(runtime.KindInvalid, "sms-invalid", "SMS'en overholder ikke reglerne (højst 160 tegn).", "The SMS breaks the rules (at most 160 characters).", err)
	case err != nil:
		return unavailable("nemsms", err)
	}
	return h.smsOutcome(ctx, tx, ev, id, req, "")
}

// smsOutcome records and announces a sent (code "") or skipped SMS.
func (h *handler) smsOutcome(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, id string, req events.SMSRequest, code string) error {
	status, typ := "sent", events.SMSSent
	if code != "" {
		status, typ = "skipped", events.SMSSkipped
	}
	if _, err := tx.Exec(ctx, `INSERT INTO sms (message_id, request_src, request_id, reference, status, reason)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING`, id, ev.Source(), ev.ID(), req.Reference, status, code); err != nil {
		return fmt.Errorf("store sms %s: %w", id, err)
	}
	out := events.SMSOutcome{MessageID: id, Reference: req.Reference, Code: code, At: time.Now().UTC()}
	return emitRecorded(ctx, tx, ev, typ, out)
}

// The real store fits.
var _ ObjectStore = (*s3.Store)(nil)
