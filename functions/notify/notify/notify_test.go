package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/notify/notify"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/digitalpost"
	"nemrefusion.dk/infra/nemsms"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
	"nemrefusion.dk/infra/s3"
)

// flakyPost simulates a crash between the send and the commit: the
// message reaches Digital Post, then the handler fails before committing.
type flakyPost struct {
	digitalpost.Deliverer
	crashes atomic.Int32
}

var errCrash = errors.New("simulated crash after send")

func (f *flakyPost) Send(ctx context.Context, m digitalpost.Message) (digitalpost.Delivery, error) {
	d, err := f.Deliverer.Send(ctx, m)
	if err == nil && f.crashes.Add(-1) >= 0 {
		return d, fmt.Errorf("%w: %w", digitalpost.ErrUnavailable, errCrash)
	}
	return d, err
}

type fixture struct {
	*runtimetest.Kit
	dp    *digitalpost.StandIn
	sms   *nemsms.StandIn
	dp2   *flakyPost
	store *s3.Store
	bkt   string
}

var (
	dsOnce sync.Once
	ds     *synth.Dataset
	dsErr  error
)

func dataset(t *testing.T) *synth.Dataset {
	dsOnce.Do(func() {
		ds, dsErr = synth.Generate(synth.Config{Seed: 7, Persons: synth.MinPersons, Companies: synth.MinCompanies,
			Reference: registers.MonthOf(time.Now())})
	})
	if dsErr != nil {
		t.Fatal(dsErr)
	}
	return ds
}

func persona(key string) ids.CPR {
	p, _ := synth.PersonaByKey(key)
	return p.CPR
}

func start(t *testing.T) *fixture { return startWith(t, nil) }

// startWith starts notify with persons as CPR (nil: the synthetic dataset).
func startWith(t *testing.T, persons registers.PersonRegister) *fixture {
	t.Helper()
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	if base.S3AccessKey == "" {
		t.Fatal("S3_ACCESS_KEY not set: source .data/stack.env (make services starts MinIO)")
	}
	f := &fixture{dp: digitalpost.NewStandIn()}
	d := dataset(t)
	if persons == nil {
		persons = d
	}
	f.sms = nemsms.NewStandIn(func(ctx context.Context, c ids.CPR) (bool, error) {
		p, err := persons.Person(ctx, c)
		return err == nil && p.NemSMS != "", nil
	})
	dpSrv := httptest.NewServer(f.dp)
	smsSrv := httptest.NewServer(f.sms)
	t.Cleanup(func() { dpSrv.Close(); smsSrv.Close() })
	var err error
	f.store, err = s3.New(s3.FromBase(base))
	if err != nil {
		t.Fatal(err)
	}
	f.bkt = fmt.Sprintf("nr-letters-test-%d", rand.Uint32())
	if err := f.store.EnsureBuckets(context.Background(), f.bkt); err != nil {
		t.Fatal(err)
	}
	post, _ := digitalpost.NewClient(dpSrv.URL)
	f.dp2 = &flakyPost{Deliverer: post}
	smsc, _ := nemsms.NewClient(smsSrv.URL)
	f.Kit = runtimetest.Start(t, runtimetest.Options{Name: "notify", Base: &base, Migrations: notify.Migrations()})
	notify.Register(f.Svc, notify.Deps{Persons: persons, Companies: d, Post: f.dp2, SMS: smsc, Store: f.store, Bucket: f.bkt, Verify: f.Verifier(t),
		Portal: portalURL})
	return f
}

func newEvent(t *testing.T, typ string, data any) cloudevents.Event {
	t.Helper()
	ev, err := events.New(typ, "tester", fmt.Sprintf("absence-%d", rand.Uint64()), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// portalURL is the Mit Sygefravær address the tests configure.
const portalURL = "https://mitsygefravaer.example/mit-sygefravaer"

var kommune = events.Authority{CVR: ids.MustCVR("30000005"), Name: "Københavns Kommune"}

func letterRequest(kind string, to ids.CPR) events.LetterRequest {
	return events.LetterRequest{Kind: kind, Recipient: events.Party{CPR: to}, Sender: kommune, Reference: "NR-2024-00000042",
		Data: map[string]string{"task": "information-form", "deadline": "2024-03-12"}}
}

// waitFor polls until the sink has n events of typ caused by ev.
func (f *fixture) waitFor(t *testing.T, typ string, ev cloudevents.Event, n int) []cloudevents.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := f.Sink.Where(func(e cloudevents.Event) bool {
			return e.Type() == typ && events.Str(e, events.ExtCausationID) == ev.ID()
		})
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLettersArriveWhereTheyShouldExactlyOnce(t *testing.T) {
	f := start(t)
	cases := []struct {
		persona, channel, language string
	}{
		{synth.PersonaEmployee, digitalpost.ChannelDigital, "da"},
		{synth.PersonaDigitalPostExempt, digitalpost.ChannelPaper, "da"},
		{synth.PersonaEnglish, digitalpost.ChannelDigital, "en"},
	}
	for _, c := range cases {
		t.Run(c.persona, func(t *testing.T) {
			cpr := persona(c.persona)
			ev := newEvent(t, events.LetterRequested, letterRequest(events.LetterCitizenTask, cpr))
			for i := range 2 { // the second is a redelivery
				if code, body := f.Post(t, ev); code != http.StatusAccepted {
					t.Fatalf("delivery %d: %d %s", i+1, code, body)
				}
			}
			got := f.dp.Received(cpr.String())
			if len(got) != 1 || got[0].Channel != c.channel || got[0].Posts != 1 || got[0].Language != c.language {
				t.Fatalf("received %+v, want one %s letter in %s posted once", got, c.channel, c.language)
			}
			if got[0].MessageUUID != notify.DerivedID("letter", ev) {
				t.Fatalf("messageUUID %s is not derived from the request", got[0].MessageUUID)
			}
			m, _ := f.dp.Message(got[0].MessageUUID)
			if c.channel == digitalpost.ChannelPaper && (m.PostalAddress() == nil || m.PostalAddress().Street == "") {
				t.Fatalf("paper letter without address: %+v", m.Header.Recipient)
			}
			sent := f.waitFor(t, events.LetterSent, ev, 1)
			if len(sent) != 1 {
				t.Fatalf("%d letter.sent events, want 1", len(sent))
			}
			var out events.LetterSentData
			_ = sent[0].DataAs(&out)
			if err := events.Validate(sent[0]); err != nil || out.Channel != c.channel {
				t.Fatalf("letter.sent %+v: %v", out, err)
			}
			for _, key := range []string{out.PDF, out.MeMo} {
				rc, _, err := f.store.Get(context.Background(), f.bkt, key)
				if err != nil {
					t.Fatalf("stored %s: %v", key, err)
				}
				b, _ := io.ReadAll(rc)
				rc.Close()
				if key == out.PDF && !bytes.HasPrefix(b, []byte("%PDF-")) {
					t.Fatalf("%s is not a PDF", key)
				}
				if key == out.MeMo {
					if _, err := digitalpost.Parse(b); err != nil {
						t.Fatalf("stored MeMo: %v", err)
					}
				}
			}
		})
	}
}

// A crash between the send and the commit makes the broker deliver the
// request again; the inbox has not recorded it, so the handler runs again,
// sends the same messageUUID, and Digital Post delivers it once.
func TestCrashBetweenSendAndCommitDoesNotSendTwice(t *testing.T) {
	f := start(t)
	cpr := persona(synth.PersonaNemSMS)
	ev := newEvent(t, events.LetterRequested, letterRequest(events.LetterReminder, cpr))
	f.dp2.crashes.Store(1)
	if code, _ := f.Post(t, ev); code != http.StatusServiceUnavailable {
		t.Fatalf("first delivery: %d, want 503 (the broker retries)", code)
	}
	if code, body := f.Post(t, ev); code != http.StatusAccepted {
		t.Fatalf("retry: %d %s", code, body)
	}
	got := f.dp.Received(cpr.String())
	if len(got) != 1 || got[0].Posts != 2 {
		t.Fatalf("received %+v, want one message posted twice and delivered once", got)
	}
	var n int
	if err := f.Svc.DB.QueryRow(context.Background(), `SELECT count(*) FROM letters`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d letters rows (%v), want 1", n, err)
	}
	if sent := f.waitFor(t, events.LetterSent, ev, 1); len(sent) != 1 {
		t.Fatalf("%d letter.sent, want 1", len(sent))
	}
}

func TestTransientAndPermanentFailures(t *testing.T) {
	f := start(t)
	// Digital Post down: 503, nothing recorded; up again: sent.
	cpr := persona(synth.PersonaMoved)
	ev := newEvent(t, events.LetterRequested, letterRequest(events.LetterCitizenTask, cpr))
	f.dp.SetDown(true)
	if code, _ := f.Post(t, ev); code != http.StatusServiceUnavailable {
		t.Fatalf("Digital Post down: %d, want 503", code)
	}
	f.dp.SetDown(false)
	if code, _ := f.Post(t, ev); code != http.StatusAccepted {
		t.Fatalf("Digital Post up: %d", code)
	}
	if got := f.dp.Received(cpr.String()); len(got) != 1 {
		t.Fatalf("received %+v", got)
	}
	// Unknown person: letter.failed, acknowledged.
	ghost := ids.MustCPR("0101010101")
	ev = newEvent(t, events.LetterRequested, letterRequest(events.LetterCitizenTask, ghost))
	if code, _ := f.Post(t, ev); code != http.StatusAccepted {
		t.Fatalf("unknown recipient: %d, want 202 with letter.failed", code)
	}
	if failed := f.waitFor(t, events.LetterFailed, ev, 1); len(failed) != 1 {
		t.Fatalf("%d letter.failed", len(failed))
	} else if err := events.Validate(failed[0]); err != nil {
		t.Fatal(err)
	}
	// Missing template data can never succeed: 400 (dead letter).
	bad := letterRequest(events.LetterRejectedUpload, cpr)
	if code, body := f.Post(t, newEvent(t, events.LetterRequested, bad)); code != http.StatusBadRequest || !strings.Contains(body, "documentTitle") {
		t.Fatalf("missing data: %d %s", code, body)
	}
}

func TestLetterToACompanyGoesByDigitalPost(t *testing.T) {
	f := start(t)
	req := events.LetterRequest{Kind: events.LetterSenderReceipt, Recipient: events.Party{CVR: ids.MustCVR("30000005")}, Sender: kommune,
		Reference: "NR-2024-00000043", Data: map[string]string{"blanket": "Sygefravær og refusion", "submittedAt": "2024-03-04T09:15:00Z"}}
	if code, body := f.Post(t, newEvent(t, events.LetterRequested, req)); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, body)
	}
	got := f.dp.Received("30000005")
	if len(got) != 1 || got[0].IDType != "CVR" || got[0].Channel != digitalpost.ChannelDigital {
		t.Fatalf("received %+v", got)
	}
}

func TestSMSOnlyToSignedUpAtMost160(t *testing.T) {
	f := start(t)
	req := func(cpr ids.CPR, text string) events.SMSRequest {
		return events.SMSRequest{Recipient: events.Party{CPR: cpr}, Sender: kommune, Text: text, Reference: "NR-2024-00000042"}
	}
	signed, unsigned := persona(synth.PersonaNemSMS), persona(synth.PersonaEmployee)
	text := "Husk at udfylde dit oplysningsskema i Mit Sygefravær senest 12. marts 2024."
	ev := newEvent(t, events.SMSRequested, req(signed, text))
	for range 2 {
		if code, body := f.Post(t, ev); code != http.StatusAccepted {
			t.Fatalf("%d %s", code, body)
		}
	}
	if got := f.sms.Received(signed.String()); len(got) != 1 || got[0].Text != text || got[0].Posts != 1 {
		t.Fatalf("received %+v", got)
	}
	if sent := f.waitFor(t, events.SMSSent, ev, 1); len(sent) != 1 {
		t.Fatalf("%d sms.sent", len(sent))
	}
	ev = newEvent(t, events.SMSRequested, req(unsigned, text))
	if code, _ := f.Post(t, ev); code != http.StatusAccepted {
		t.Fatalf("not signed up: %d", code)
	}
	skipped := f.waitFor(t, events.SMSSkipped, ev, 1)
	if len(skipped) != 1 || len(f.sms.Received(unsigned.String())) != 0 {
		t.Fatalf("not signed up: %d skipped, %d received", len(skipped), len(f.sms.Received(unsigned.String())))
	}
	var out events.SMSOutcome
	_ = skipped[0].DataAs(&out)
	if out.Code != "not-signed-up" {
		t.Fatalf("skipped %+v", out)
	}
	// 161 characters: refused by the contract (400), never cut.
	if code, _ := f.Post(t, newEvent(t, events.SMSRequested, req(signed, strings.Repeat("æ", 161)))); code != http.StatusBadRequest {
		t.Fatalf("161 characters: %d, want 400", code)
	}
	if code, _ := f.Post(t, newEvent(t, events.SMSRequested, req(signed, strings.Repeat("æ", 160)))); code != http.StatusAccepted {
		t.Fatalf("160 characters: %d, want 202", code)
	}
}
