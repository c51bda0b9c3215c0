package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
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

// specMembers are the members of a structured event that are not
// extensions.
var specMembers = map[string]bool{"specversion": true, "id": true, "source": true, "type": true, "datacontenttype": true,
	"dataschema": true, "subject": true, "time": true, "data": true, "data_base64": true}

// specName is the CloudEvents 1.0.2 rule for attribute names (lower-case
// a-z and 0-9: MUST), with the spec's 20 characters (SHOULD) as our rule.
var specName = regexp.MustCompile(`^[a-z0-9]{1,20}$`)

// ceString reports whether s is a CloudEvents String of at most max bytes:
// valid UTF-8 without C0 or C1 control characters.
func ceString(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return false
		}
	}
	return true
}

// checkAccepted fails unless an accepted event, and the request it came
// from, keep the CloudEvents rules: only spec-valid extension names (in the
// event and, for structured mode, in the body as sent: the SDK lower-cases
// names, so the fuzzer's "A000" was accepted as "a000"), bounded valid
// Strings, and JSON data that is UTF-8 JSON.
func checkAccepted(t *testing.T, ev cloudevents.Event, contentType string, body []byte) {
	t.Helper()
	for name, v := range ev.Extensions() {
		if !specName.MatchString(name) {
			t.Fatalf("accepted extension name %q", name)
		}
		if s, ok := v.(string); ok && !ceString(s, 4096) {
			t.Fatalf("accepted extension %s = %q", name, s)
		}
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/cloudevents+json" {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			t.Fatalf("accepted a structured body that is not a JSON object: %v", err)
		}
		for name := range top {
			if !specMembers[name] && !specName.MatchString(name) {
				t.Fatalf("accepted a structured event with member %q", name)
			}
		}
		if !utf8.Valid(body) {
			t.Fatal("accepted a structured body that is not UTF-8")
		}
	}
	for _, a := range []struct {
		name, v string
		max     int
	}{{"id", ev.ID(), 256}, {"source", ev.Source(), 1024}, {"type", ev.Type(), 256}, {"subject", ev.Subject(), 1024},
		{"partitionkey", events.Str(ev, events.ExtPartitionKey), 256}} {
		if !ceString(a.v, a.max) {
			t.Fatalf("accepted %s %q", a.name, a.v)
		}
	}
	ct := ev.DataContentType()
	if mt, _, _ := mime.ParseMediaType(ct); len(ev.Data()) > 0 && (ct == "" || mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		if !utf8.Valid(ev.Data()) || !json.Valid(ev.Data()) {
			t.Fatalf("accepted data declared JSON that is not UTF-8 JSON: %q", ev.Data())
		}
	}
}

// FuzzReadEvent checks the decoder every function's CloudEvents endpoint
// and intake's submissions go through (binary and structured mode): never a
// panic; a refusal is a 400 with a code and Danish and English texts; an
// accepted event is valid, keeps the CloudEvents rules (checkAccepted), was
// not over the size limit, and survives being sent on in structured and in
// binary mode.
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
		// Issue 16's findings: an upper-case extension name (the fuzzer's
		// A000), NUL in partitionkey, an unbounded id, invalid UTF-8.
		{"application/cloudevents+json", "", strings.Replace(structured, `"partitionkey":"s-1"`, `"partitionkey":"s-1","A000":"0"`, 1)},
		{"application/cloudevents+json", "", strings.Replace(structured, `"partitionkey":"s-1"`, `"partitionkey":"s\u00001"`, 1)},
		{"application/cloudevents+json", "", strings.Replace(structured, `"id":"p-1"`, `"id":"`+strings.Repeat("i", 300)+`"`, 1)},
		{"application/json", binary + "\nCe-Subject: \xff", `{}`},
		{"application/json", binary, "{\"note\":\"\xff\"}"},
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
		checkAccepted(t, ev, contentType, body)
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
