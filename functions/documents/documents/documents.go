// Package documents is the documents function: uploads (pdf, gif, png and
// jpeg, decided by content) go first to the quarantine bucket and are
// scanned by ClamAV (clamd INSTREAM). Clean: copied to the documents bucket,
// removed from quarantine, announced (document.accepted). Infected: deleted,
// a rejected-upload receipt requested (letter.requested) and announced
// (document.rejected). Too large for the scanner: deleted and announced,
// never passed as clean. clamd unreachable: the file stays in quarantine
// with the status "awaiting-scan" and is scanned again by an in-process
// loop and the documents-rescan tick.
//
// Nothing is readable before a clean verdict: the row's status is the gate,
// and the only way to read is a short-lived presigned URL of the documents
// bucket, handed out for accepted documents to someone authorised (the
// uploader's tenant, or the caseworkers of an authority a delivery of the
// document went to; see authorize).
package documents

import (
	"context"
	"embed"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/clamav"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/s3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the function's own tables.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Config is the documents function's own configuration (envconfig).
type Config struct {
	// MaxBytes is the largest upload accepted.
	MaxBytes int64 `envconfig:"DOCUMENTS_MAX_BYTES" default:"10485760"`
	// URLTTL is how long a download URL works.
	URLTTL time.Duration `envconfig:"DOCUMENTS_URL_TTL" default:"60s"`
	// RescanInterval is how often the in-process loop scans what awaits a
	// scan (the documents-rescan tick comes every minute on top).
	RescanInterval time.Duration `envconfig:"DOCUMENTS_RESCAN_INTERVAL" default:"5s"`
	// ReceiptSenderCVR and ReceiptSenderName are the authority named as the
	// sender of rejected-upload receipts.
	ReceiptSenderCVR  string `envconfig:"DOCUMENTS_RECEIPT_SENDER_CVR" default:"19435075"`
	ReceiptSenderName string `envconfig:"DOCUMENTS_RECEIPT_SENDER_NAME" default:"Mit Sygefravær"`
}

// Store is the object store (*s3.Store is one).
type Store interface {
	Put(ctx context.Context, bucket, key string, body io.ReadSeeker, contentType string) error
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, s3.Object, error)
	Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) error
	Delete(ctx context.Context, bucket, key string) error
	Presign(ctx context.Context, bucket, key string, ttl time.Duration, downloadName string) (string, error)
}

// Scanner scans a stream (*clamav.Client is one). Errors matching
// clamav.ErrUnavailable mean "try again later".
type Scanner interface {
	Scan(ctx context.Context, r io.Reader) (clamav.Verdict, error)
}

// Deps are the function's adapters and settings.
type Deps struct {
	Store   Store
	Scanner Scanner
	// Quarantine and Documents are the bucket names.
	Quarantine, Documents string
	Config                Config
	// Verifier checks the callers' tokens.
	Verifier *auth.Verifier
}

// Function is the running documents function.
type Function struct {
	svc    *runtime.Service
	d      Deps
	sender events.Authority
	log    *slog.Logger
}

// Uploaders are the roles that may upload documentation.
var Uploaders = []auth.Role{auth.RoleCitizen, auth.RoleProxy, auth.RoleSelfEmployed, auth.RoleEmployer, auth.RoleAKasse}

// Register adds the routes and the rescan tick to svc. Call Run (in a
// goroutine) to start the in-process rescan loop.
func Register(svc *runtime.Service, d Deps) (*Function, error) {
	cvr, err := ids.ParseCVR(d.Config.ReceiptSenderCVR)
	if err != nil {
		return nil, err
	}
	f := &Function{svc: svc, d: d, sender: events.Authority{CVR: cvr, Name: d.Config.ReceiptSenderName}, log: svc.Log}
	all := auth.Require(d.Verifier)
	svc.Mux.Handle("POST /api/v1/documents", auth.Require(d.Verifier, Uploaders...)(http.HandlerFunc(f.upload)))
	svc.Mux.Handle("GET /api/v1/documents/{id}", all(http.HandlerFunc(f.status)))
	svc.Mux.Handle("GET /api/v1/documents/{id}/download", all(http.HandlerFunc(f.download)))
	runtime.On(svc, events.DeliveryRequested, f.onDeliveryRequested)
	runtime.On(svc, events.CitizenTasksRequested, f.onTasksRequested)
	svc.OnTick(events.TickDocumentsRescan, func(ctx context.Context, _ *runtime.Tx, _ cloudevents.Event) error {
		// The tick's transaction only records the tick; the scans run in
		// their own transactions after it.
		go f.rescan(context.WithoutCancel(ctx))
		return nil
	})
	return f, nil
}

// Run scans what awaits a scan every RescanInterval until ctx ends.
func (f *Function) Run(ctx context.Context) {
	t := time.NewTicker(f.d.Config.RescanInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.rescan(ctx)
		}
	}
}

func (f *Function) rescan(ctx context.Context) {
	n, err := f.RescanDue(ctx)
	if n > 0 {
		f.log.InfoContext(ctx, "rescanned documents", "count", n)
	}
	if err != nil {
		f.log.WarnContext(ctx, "rescan incomplete", "err", err.Error())
	}
}
