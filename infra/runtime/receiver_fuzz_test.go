package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/infra/runtime"
)

const fuzzMaxBytes = 4096

// readFuzzed decodes one request made of a content type, header lines
// ("Name: value", one a line) and a body.
func readFuzzed(contentType, headers string, body []byte) (cloudevents.Event, error) {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	for _, line := range strings.Split(headers, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return runtime.ReadEvent(httptest.NewRecorder(), r, fuzzMaxBytes)
}

// sameEvent fails unless b carries every attribute, extension and the data of a.
func sameEvent(t *testing.T, how string, a, b cloudevents.Event) {
	t.Helper()
	if a.SpecVersion() != b.SpecVersion() || a.ID() != b.ID() || a.Source() != b.Source() || a.Type() != b.Type() ||
		a.Subject() != b.Subject() || a.DataSchema() != b.DataSchema() || a.DataContentType() != b.DataContentType() ||
		!a.Time().Equal(b.Time()) || !bytes.Equal(a.Data(), b.Data()) {
		t.Fatalf("%s round trip changed the event:\n%s\n%s", how, a, b)
	}
	ae, be := a.Extensions(), b.Extensions()
	if len(ae) != len(be) {
		t.Fatalf("%s round trip changed the extensions: %v %v", how, ae, be)
	}
	for k, v := range ae {
		if fmt.Sprint(v) != fmt.Sprint(be[k]) {
			t.Fatalf("%s round trip changed extension %s: %v %v", how, k, v, be[k])
		}
	}
}

// FuzzReadEvent checks the decoder every function's CloudEvents endpoint
// and intake's submissions go through (binary and structured mode): never a
// panic; a refusal is a 400 with a code and Danish and English texts; an
// accepted event is valid, was not over the size limit, and survives being
// sent on in structured and in binary mode.
func FuzzReadEvent(f *testing.F) {
	structured := `{"specversion":"1.0","type":"dk.nemrefusion.system.probe.requested.v1","source":"/e2e","id":"p-1","partitionkey":"s-1",` +
		`"time":"2024-03-04T10:00:00.123456789+01:00","datacontenttype":"application/json","data":{"note":"hello"}}`
	binary := "Ce-Specversion: 1.0\nCe-Type: dk.nemrefusion.sickness.employer.reported.v1\nCe-Source: /payroll\nCe-Id: 42\nCe-Partitionkey: abs-1\nCe-Correlationid: c-1"
	for _, s := range []struct {
		ct, headers, body string
	}{
		{"application/cloudevents+json", "", structured},
		{"application/cloudevents+json; charset=utf-8", "", structured},
		{"application/cloudevents+json", "", strings.Replace(structured, `"data":{"note":"hello"}`, `"data_base64":"aGVsbG8="`, 1)},
		{"application/cloudevents+json", "", strings.Replace(structured, `"specversion":"1.0"`, `"specversion":"0.3"`, 1)},
		{"application/cloudevents+json", "", strings.Replace(structured, `"id":"p-1",`, ``, 1)},
		{"application/cloudevents+json", "", strings.Replace(structured, `"partitionkey":"s-1"`, `"partitionkey":1,"flag":true,"Bad-Name":"x"`, 1)},
		{"application/cloudevents+json", "", `{"specversion":"1.0","data":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`},
		{"application/cloudevents+json", "", strings.Repeat(" ", fuzzMaxBytes+1) + structured},
		{"application/cloudevents-batch+json", "", "[" + structured + "]"},
		{"application/json", binary, `{"cpr":"1203854321","cvr":"30000005"}`},
		{"application/json", binary, `not json`},
		{"text/plain", binary + "\nCe-Time: 2024-03-04T10:00:00Z", "hello"},
		{"", binary, ""},
		{"application/json", "Ce-Specversion: 2.0\nCe-Type: x\nCe-Source: /\nCe-Id: 1", "{}"},
		{"multipart/form-data; boundary=x", "", "--x--"},
		{"application/cloudevents+json", "Ce-Id: 9", "null"},
	} {
		f.Add(s.ct, s.headers, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, contentType, headers string, body []byte) {
		ev, err := readFuzzed(contentType, headers, body)
		if err != nil {
			p := runtime.ProblemOf(err)
			if p.Status != http.StatusBadRequest || p.Code == "" || p.Da == "" || p.En == "" || p.Code == "internal" {
				t.Fatalf("refusal %+v for %v", p, err)
			}
			return
		}
		if err := ev.Validate(); err != nil {
			t.Fatalf("accepted an invalid event: %v", err)
		}
		if len(body) > fuzzMaxBytes {
			t.Fatalf("accepted %d bytes, limit %d", len(body), fuzzMaxBytes)
		}

		// Structured mode, as a sender posts it. Data declared JSON that
		// is not JSON cannot be written so; binary mode carries it.
		if b, err := json.Marshal(ev); err == nil {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
			r.Header.Set("Content-Type", "application/cloudevents+json")
			back, err := runtime.ReadEvent(httptest.NewRecorder(), r, 1<<20)
			if err != nil {
				t.Fatalf("structured re-read: %v\n%s", err, b)
			}
			sameEvent(t, "structured", ev, back)
		} else if json.Valid(ev.Data()) {
			t.Fatalf("an accepted event with JSON data does not marshal: %v", err)
		}

		// Binary mode, as the runtime's publisher and the broker send it.
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), r); err != nil {
			t.Fatalf("binary write: %v", err)
		}
		back, err := runtime.ReadEvent(httptest.NewRecorder(), r, 1<<20)
		if err != nil {
			t.Fatalf("binary re-read: %v (%v)", err, r.Header)
		}
		sameEvent(t, "binary", ev, back)
	})
}
