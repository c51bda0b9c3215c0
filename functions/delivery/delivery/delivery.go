// Package delivery is the delivery function: every item addressed to a
// recipient (a municipality or Udbetaling Danmark) lands in that recipient's
// stream in order and exactly once per item id; case systems fetch it with a
// cursor and acknowledge, or register a CloudEvents push sink that gets every
// item in order with retries. It also runs the feedback loop to the senders
// (case registered, status, decisions, payments, citizen tasks, the rules'
// rejections and deadlines; the sender's work list and reconciliation of
// expected against decided and paid refusion). The
// administration of DPO links and the contribution key is package admin;
// the data-foundation feed is its own function (functions/dfdg), whose
// recovery notifications reach the streams as delivery.requested like
// every other item.
//
// Hazards: handlers must stay idempotent (the inbox stops exact
// redeliveries, enqueue stops a repeated item id); the push loop holds a
// database connection while it waits for a sink (at most PushTimeout).
package delivery

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/registers"
	regclient "nemrefusion.dk/infra/registers/client"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the delivery function's own tables.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// TickPush is the PingSource tick that makes the function push due items to
// registered sinks (the in-process loop does the same every PushInterval).
const TickPush = "delivery-push"

// Config is the delivery function's own configuration.
type Config struct {
	// PushInterval is how often the in-process loop looks for due pushes.
	PushInterval time.Duration `envconfig:"DELIVERY_PUSH_INTERVAL" default:"1s"`
	// PushBackoffBase and PushBackoffMax bound the exponential backoff
	// after a sink failed: base, 2·base, 4·base, … up to max.
	PushBackoffBase time.Duration `envconfig:"DELIVERY_PUSH_BACKOFF_BASE" default:"1s"`
	PushBackoffMax  time.Duration `envconfig:"DELIVERY_PUSH_BACKOFF_MAX" default:"5m"`
	// PushTimeout is how long one push may take.
	PushTimeout time.Duration `envconfig:"DELIVERY_PUSH_TIMEOUT" default:"10s"`
	// PushConfig configures push sinks: https only, public addresses only,
	// signed pushes (push.go, pushsafe.go, pushsign.go).
	PushConfig
	// RegistersURL is the registers' API (as the blanket functions have
	// it): the sender's list shows the names of the sender's own
	// employees from CPR. Empty: no names.
	RegistersURL string `envconfig:"REGISTERS_URL" default:"http://127.0.0.1:8090"`
	// Persons, when set, is used instead of a client of RegistersURL
	// (tests).
	Persons registers.PersonRegister `ignored:"true"`
	// Companies, when set, is used instead of a client of RegistersURL
	// for the senders' company names in the caseworkers' inbox (tests).
	Companies registers.CompanyRegister `ignored:"true"`
}

// Function is the running delivery function.
type Function struct {
	svc    *runtime.Service
	cfg    Config
	verify *auth.Verifier
	client *http.Client
	wake   chan struct{}
	// persons is CPR, for the names in the sender's list; nil: no names.
	persons registers.PersonRegister
	// companies is CVR, for the senders' names in the inbox; nil: none.
	companies registers.CompanyRegister
	cvrNames  companyCache
}

// Register wires the delivery handlers, routes and tick into svc and
// returns the function; call Run to start the push loop. Public routes
// verify tokens with v.
func Register(svc *runtime.Service, cfg Config, v *auth.Verifier) (*Function, error) {
	if cfg.PushInterval <= 0 {
		cfg.PushInterval = time.Second
	}
	if cfg.PushBackoffBase <= 0 {
		cfg.PushBackoffBase = time.Second
	}
	if cfg.PushBackoffMax < cfg.PushBackoffBase {
		cfg.PushBackoffMax = cfg.PushBackoffBase
	}
	if cfg.PushTimeout <= 0 {
		cfg.PushTimeout = 10 * time.Second
	}
	if cfg.PushKeyRollover <= 0 {
		cfg.PushKeyRollover = 72 * time.Hour
	}
	client, err := newPushClient(cfg)
	if err != nil {
		return nil, err
	}
	f := &Function{svc: svc, cfg: cfg, verify: v, client: client, wake: make(chan struct{}, 1), persons: cfg.Persons, companies: cfg.Companies}
	if (f.persons == nil || f.companies == nil) && cfg.RegistersURL != "" {
		c, err := regclient.New(cfg.RegistersURL)
		if err != nil {
			return nil, err
		}
		if f.persons == nil {
			f.persons = c
		}
		if f.companies == nil {
			f.companies = c
		}
	}
	if v != nil && v.Ledger == nil {
		v.Ledger = svc.DB
	}
	runtime.On(svc, events.DeliveryRequested, f.onDeliveryRequested)
	runtime.On(svc, events.RefusionExpected, f.onRefusionExpected)
	runtime.On(svc, events.CaseRegistered, f.onCaseRegistered)
	runtime.On(svc, events.CaseStatusChanged, f.onCaseStatusChanged)
	runtime.On(svc, events.RefusionDecided, f.onRefusionDecided)
	runtime.On(svc, events.PaymentMade, f.onPaymentMade)
	runtime.On(svc, events.CaseTaskRequested, f.onCaseTaskRequested)
	runtime.On(svc, events.BlanketRejected, f.onBlanketRejected)
	runtime.On(svc, events.BlanketDecided, f.onBlanketDecided)
	svc.OnTick(TickPush, func(ctx context.Context, _ *runtime.Tx, _ cloudevents.Event) error {
		// The tick's transaction only records the tick; pushing runs in
		// its own transactions, one per item.
		f.Wake()
		return nil
	})
	f.routes()
	return f, nil
}

// Run runs the push loop until ctx ends.
func (f *Function) Run(ctx context.Context) {
	t := time.NewTicker(f.cfg.PushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.wake:
		}
		if _, err := f.PushDue(ctx); err != nil && ctx.Err() == nil {
			f.svc.Log.WarnContext(ctx, "push round incomplete", "err", err.Error())
		}
	}
}

// Wake makes the push loop look for due pushes now.
func (f *Function) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// public wraps h so that it needs a verified token.
func (f *Function) public(h http.HandlerFunc) http.Handler {
	return auth.Require(f.verify)(h)
}

func (f *Function) routes() {
	m := f.svc.Mux
	m.Handle("GET /api/v1/deliveries/{recipient}", f.public(f.fetch))
	m.Handle("POST /api/v1/deliveries/{recipient}/ack", f.public(f.ack))
	m.Handle("GET /api/v1/deliveries/{recipient}/inbox", f.public(f.inbox))
	m.Handle("GET /api/v1/deliveries/{recipient}/items/{id...}", f.public(f.openItem))
	m.Handle("PUT /api/v1/deliveries/{recipient}/sink", f.public(f.putSink))
	m.Handle("GET /api/v1/deliveries/{recipient}/sink", f.public(f.getSink))
	m.Handle("DELETE /api/v1/deliveries/{recipient}/sink", f.public(f.deleteSink))
	m.Handle("POST /api/v1/deliveries/{recipient}/sink/secret", f.public(f.rotateSecret))
	m.Handle("GET /api/v1/feedback/absences", f.public(f.senderList))
	m.Handle("GET /api/v1/feedback/absences/{id}", f.public(f.senderView))
}
