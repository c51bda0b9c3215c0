// Package accept is the one accept step of every way in that turns user
// input into an event: intake's POST /api/v1/events and the waiting
// function's prepared blankets (stored with CheckPrepare, submitted with
// Accept). In the caller's transaction it applies the submission policy
// (Check: the type is submittable by this role, the CVR in the data is one
// the login may act for, a fresh login for Signed types), decides and claims
// the ledger stream (reserved streams are nobody's; a stream belongs to the
// tenant that opened it; the case systems' feedback goes only into an absence
// delivered to them), stores the submission with a digest of its data for
// idempotency (the same again: the same receipt; other data under the same
// id: 409), stamps who submitted on the event (actor, role, tenant, on whose
// behalf, signed), appends it to the ledger and puts it on the outbox.
//
// Its tables live in a schema of their own ("accept"), shared by the
// functions that use it, so that a stream opened through one way in is owned
// on every other. Who an absence was delivered to comes from
// delivery.requested.v1 (OnDeliveryRequested, registered by intake).
package accept

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/pg"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultSchema is the PostgreSQL schema of the accept step's tables.
const DefaultSchema = "accept"

// Options configure a Front.
type Options struct {
	// Schema holds the tables; "" means DefaultSchema. Every function that
	// accepts submissions must use the same one (tests use their own).
	Schema string
	// SigningMaxAge is how old a login may be for a Signed type
	// (AUTH_SIGNING_MAX_AGE); 0 means 5 minutes.
	SigningMaxAge time.Duration
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Front is the accept step of one function.
type Front struct {
	svc    *runtime.Service
	schema string
	maxAge time.Duration
	now    func() time.Time
}

var schemaName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// New migrates the accept step's tables (in their own schema, through a
// short-lived pool of svc's database) and returns the Front of svc.
func New(ctx context.Context, svc *runtime.Service, o Options) (*Front, error) {
	f := &Front{svc: svc, schema: o.Schema, maxAge: o.SigningMaxAge, now: o.Now}
	if f.schema == "" {
		f.schema = DefaultSchema
	}
	if !schemaName.MatchString(f.schema) {
		return nil, fmt.Errorf("accept: invalid schema name %q", f.schema)
	}
	if f.maxAge <= 0 {
		f.maxAge = 5 * time.Minute
	}
	if f.now == nil {
		f.now = time.Now
	}
	if err := f.migrate(ctx); err != nil {
		return nil, fmt.Errorf("accept: %w", err)
	}
	return f, nil
}

// migrate applies the accept step's migrations to its schema as the owner
// role (MIGRATION_DATABASE_URL, or DATABASE_URL when that is empty) and
// lets the application role read and add rows, nothing more: accepted
// submissions, owners and recipients are never changed or removed.
func (f *Front) migrate(ctx context.Context) error {
	cfg := f.svc.Cfg
	ownerURL := cmp.Or(cfg.MigrationDatabaseURL, cfg.DatabaseURL)
	owner, err := pg.Open(ctx, ownerURL, f.schema)
	if err != nil {
		return err
	}
	defer owner.Close()
	sub, _ := fs.Sub(migrations, "migrations")
	if err := pg.Migrate(ctx, owner, f.schema, "accept", sub); err != nil {
		return err
	}
	if ownerURL == cfg.DatabaseURL {
		return nil
	}
	app, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("parse database url: %w", err)
	}
	role := app.User
	if role == pg.UserOf(owner) {
		return nil
	}
	if !pg.ValidRole(role) {
		return fmt.Errorf("application role %q is not a plain role name", role)
	}
	return pg.Grant(ctx, owner, []string{
		fmt.Sprintf(`GRANT USAGE ON SCHEMA %s TO %s`, f.schema, role),
		fmt.Sprintf(`GRANT SELECT, INSERT ON %[1]s.submissions, %[1]s.stream_owners, %[1]s.stream_recipients TO %[2]s`, f.schema, role),
		fmt.Sprintf(`GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %s`, f.schema, role),
	})
}

// Schema is the schema the Front's tables are in.
func (f *Front) Schema() string { return f.schema }

// Input is one submission as the way in received it.
type Input struct {
	// Type is the event type submitted.
	Type string
	// Source and ID are the sender's idempotency key (with the tenant): a
	// CloudEvent's source and id, or the waiting function's source and the
	// prepared blanket's id.
	Source, ID string
	// Stream is the partition key the sender gave (the absence or case id);
	// "" for a new stream (the event's id) or, for a follow-up, the absence
	// its data names.
	Stream string
	// DataSchema is the dataschema the sender named, if any; it must be the
	// type's.
	DataSchema string
	// Data is the event's data (JSON).
	Data []byte
}

// Receipt is the answer to an accepted submission.
type Receipt struct {
	Receipt    string    `json:"receipt"`
	EventID    string    `json:"eventId"`
	Stream     string    `json:"stream"`
	ReceivedAt time.Time `json:"receivedAt"`
	// Repeat is true when the same submission was accepted before: nothing
	// new happened.
	Repeat bool `json:"-"`
}

// Accept runs the accept step for p's submission in and returns its
// receipt: Check, the stream, the submission with its digest, the stamped
// event on the outbox and its ledger entry, all in tx (the caller's
// transaction: a refusal must roll it back). Errors: 400 field errors and
// not-submittable; Denied (403, to be logged: WriteError); ErrLoginTooOld
// (401 step-up); 409 for an id used before with other data; 503 when a
// receipt number collides (retry). The same submission again returns the
// earlier receipt with Repeat set.
func (f *Front) Accept(ctx context.Context, tx *runtime.Tx, p auth.Principal, in Input) (Receipt, error) {
	var rc Receipt
	stream := in.Stream
	if a := AbsenceID(in.Data); a != "" && events.Submittable(in.Type) {
		switch {
		case stream == "":
			stream = a
		case stream != a:
			return rc, events.FieldErrors{{Field: "partitionkey", Code: "partitionkey.absence",
				Da: "partitionkey skal være fraværets id (absenceId).", En: "partitionkey must be the absence's id (absenceId)."}}
		}
	}
	if in.DataSchema != "" && in.DataSchema != events.Schema(in.Type) {
		return rc, events.FieldErrors{{Field: "dataschema", Code: "dataschema",
			Da: "dataschema passer ikke til hændelsestypen.", En: "dataschema does not match the event type."}}
	}
	if err := Check(p, in.Type, stream, in.Data, f.maxAge, f.now()); err != nil {
		return rc, err
	}
	tenant := p.Tenant()
	digest := Digest(in.Type, in.Stream, in.Data)
	var prior []byte
	err := tx.QueryRow(ctx, `SELECT receipt, event_id, stream, received_at, data_digest FROM `+f.schema+`.submissions
		WHERE tenant = $1 AND source = $2 AND id = $3`, tenant, in.Source, in.ID).
		Scan(&rc.Receipt, &rc.EventID, &rc.Stream, &rc.ReceivedAt, &prior)
	switch {
	case err == nil:
		return f.repeat(rc, prior, digest)
	case !errors.Is(err, pgx.ErrNoRows):
		return rc, fmt.Errorf("find submission: %w", err)
	}

	out, err := events.New(in.Type, f.svc.Name, stream, nil, nil)
	if err != nil {
		return rc, err
	}
	if err := out.SetData(cloudevents.ApplicationJSON, in.Data); err != nil {
		return rc, fmt.Errorf("copy data: %w", err)
	}
	rc.EventID, rc.Stream = out.ID(), events.PartitionKey(out)
	out.SetExtension(events.ExtPartitionKey, rc.Stream)
	rc.ReceivedAt = f.now().UTC().Truncate(time.Microsecond)
	if rc.Receipt, err = NewReceipt(rc.ReceivedAt); err != nil {
		return rc, err
	}
	signed := Signed(in.Type)
	Stamp(&out, p, rc.Receipt, signed)

	tag, err := tx.Exec(ctx, `INSERT INTO `+f.schema+`.submissions (tenant, source, id, receipt, event_id, event_type, stream, data_digest, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant, source, id) DO NOTHING`,
		tenant, in.Source, in.ID, rc.Receipt, rc.EventID, in.Type, rc.Stream, digest, rc.ReceivedAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return rc, runtime.Fail(runtime.KindUnavailable, "receipt-collision", "Prøv igen.", "Try again.", err)
	}
	if err != nil {
		return rc, fmt.Errorf("store submission: %w", err)
	}
	if tag.RowsAffected() == 0 {
		// The same key committed concurrently (the insert waited for it).
		err := tx.QueryRow(ctx, `SELECT receipt, event_id, stream, received_at, data_digest FROM `+f.schema+`.submissions
			WHERE tenant = $1 AND source = $2 AND id = $3`, tenant, in.Source, in.ID).
			Scan(&rc.Receipt, &rc.EventID, &rc.Stream, &rc.ReceivedAt, &prior)
		if err != nil {
			return rc, fmt.Errorf("find submission: %w", err)
		}
		return f.repeat(rc, prior, digest)
	}
	if err := f.claimStream(ctx, tx, p, in.Type, rc.Stream); err != nil {
		return rc, err // a denial rolls the submission back
	}
	if err := f.stampOpener(ctx, tx, &out, rc.Stream); err != nil {
		return rc, err
	}
	entry := ledger.Entry{
		Stream: rc.Stream, Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(),
		EventType: out.Type(), EventSource: out.Source(), EventID: out.ID(), Correlation: events.CorrelationID(out),
		Payload: in.Data, RecordedAt: rc.ReceivedAt,
	}
	if signed {
		entry.Reason = auth.SignatureReason(p)
	}
	if _, err := tx.Record(ctx, entry); err != nil {
		return rc, err
	}
	return rc, tx.EmitEvent(ctx, out)
}

// stampOpener names on ev the blanket submission that opened its stream
// (events.ExtOpener), when an earlier one did: the explicit signal that a
// follow-up's case is on its way even when its function has not decided it
// yet.
func (f *Front) stampOpener(ctx context.Context, tx *runtime.Tx, ev *cloudevents.Event, stream string) error {
	var types []string
	for _, b := range events.Blankets() {
		types = append(types, b.Type)
	}
	var opener string
	err := tx.QueryRow(ctx, `SELECT event_id FROM `+f.schema+`.submissions
		WHERE stream = $1 AND event_id <> $2 AND event_type = ANY($3) ORDER BY received_at, event_id LIMIT 1`,
		stream, ev.ID(), types).Scan(&opener)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("stream opener: %w", err)
	}
	ev.SetExtension(events.ExtOpener, opener)
	return nil
}

// repeat answers a submission whose key was accepted before: the same
// receipt for the same data, 409 for other data.
func (f *Front) repeat(rc Receipt, prior, digest []byte) (Receipt, error) {
	if prior != nil && !bytes.Equal(prior, digest) {
		return Receipt{}, errConflict
	}
	rc.Repeat = true
	return rc, nil
}

// Stamp sets on ev who submitted it, from the verified login, so every
// consumer can record the actor and check the tenant without calling back:
// the receipt, actor, actor role, tenant, on whose behalf and whether it was
// signed. Consumers refuse a submitted type without the stamps.
func Stamp(ev *cloudevents.Event, p auth.Principal, receipt string, signed bool) {
	ev.SetExtension(events.ExtReceipt, receipt)
	ev.SetExtension(events.ExtActor, p.Subject)
	ev.SetExtension(events.ExtActorRole, string(p.Role))
	ev.SetExtension(events.ExtTenant, p.Tenant())
	if o := p.OnBehalfOf(); o != "" {
		ev.SetExtension(events.ExtOnBehalfOf, o)
	}
	if signed {
		ev.SetExtension(events.ExtSigned, "true")
	}
}

// Digest is what a submission's idempotency key stands for: SHA-256 over
// the type, the sender's partition key and the data (JSON compacted, so
// whitespace alone is no difference).
func Digest(eventType, stream string, data []byte) []byte {
	var c bytes.Buffer
	if json.Compact(&c, data) != nil {
		c.Reset()
		c.Write(data)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", eventType, stream)
	h.Write(c.Bytes())
	return h.Sum(nil)
}

// receiptAlphabet is Crockford's base32 (no I, L, O, U): easy to read out.
var receiptEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// NewReceipt returns a receipt number "NR-<year>-XXXX-XXXX-XX": the year
// received and 50 random bits in Crockford base32, so receipt numbers tell
// nothing about one another (the database keeps them unique).
func NewReceipt(at time.Time) (string, error) {
	b := make([]byte, 7)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("receipt number: %w", err)
	}
	s := receiptEncoding.EncodeToString(b)[:10]
	return fmt.Sprintf("NR-%d-%s-%s-%s", at.Year(), s[:4], s[4:8], s[8:]), nil
}

// ReceiptPattern matches a receipt number NewReceipt makes.
var ReceiptPattern = regexp.MustCompile(`^NR-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$`)

// WriteError answers a refusal of Accept, Check, CheckPrepare or
// CheckStream: Denied is recorded in the ledger's access-denied stream (as
// auth.LogDenial does) and answered 403; ErrLoginTooOld gets 401 with the
// step-up challenge (auth.WriteLoginTooOld); anything else as
// runtime.WriteError maps it.
func (f *Front) WriteError(w http.ResponseWriter, r *http.Request, p auth.Principal, err error) {
	var d Denied
	switch {
	case errors.As(err, &d):
		resource := d.Stream
		if resource == "" {
			resource = r.URL.Path
		}
		if err := auth.LogDenial(r.Context(), f.svc.DB, p, r, resource, d.Reason); err != nil {
			runtime.WriteError(w, err)
			return
		}
		auth.WriteForbidden(w)
	case errors.Is(err, ErrLoginTooOld):
		auth.WriteLoginTooOld(w, f.maxAge)
	default:
		runtime.WriteError(w, err)
	}
}
