package runtime_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/runtime"
)

// structuredProbe is a structured-mode event with the given id and
// partition key (JSON-escaped by the caller where needed) and extra members.
func structuredProbe(id, partitionKey, extra string) string {
	return `{"specversion":"1.0","type":"dk.nemrefusion.system.probe.requested.v1","source":"/e2e","id":"` + id +
		`","partitionkey":"` + partitionKey + `",` + extra + `"datacontenttype":"application/json","data":{"note":"hello"}}`
}

// binaryRequest is a binary-mode request with the given ce- headers over a
// valid probe, and the body as data.
func binaryRequest(contentType, body string, headers map[string]string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Type": "dk.nemrefusion.system.probe.requested.v1",
		"Ce-Source": "/payroll", "Ce-Id": "42", "Ce-Partitionkey": "abs-1"} {
		r.Header.Set(k, v)
	}
	for k, v := range headers {
		r.Header[k] = []string{v}
	}
	return r
}

func structuredRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/cloudevents+json; charset=utf-8")
	return r
}

// TestReadEventRefusesBadAttributes holds the Low findings of issue 16 about
// CloudEvents attributes: NUL in partitionkey, unbounded ids and partition
// keys, invalid UTF-8, and extension names CloudEvents forbids (the fuzzer's
// upper-case "A000") are each a 400 naming the attribute, in binary and in
// structured mode.
func TestReadEventRefusesBadAttributes(t *testing.T) {
	t.Parallel()
	id100k := strings.Repeat("i", 100<<10)
	key900k := strings.Repeat("k", 900<<10)
	cases := []struct {
		name  string
		req   *http.Request
		code  string
		field string // the field error expected, "" for none
	}{
		{"NUL in partitionkey (structured)", structuredRequest(structuredProbe("1", `abs\u0000x`, "")), "invalid-attribute", "partitionkey"},
		{"newline in subject (structured)", structuredRequest(structuredProbe("1", "abs-1", `"subject":"a\nb",`)), "invalid-attribute", "subject"},
		{"C1 control in id (structured)", structuredRequest(structuredProbe(`a\u0085b`, "abs-1", "")), "invalid-attribute", "id"},
		{"noncharacter in extension (structured)", structuredRequest(structuredProbe("1", "abs-1", `"correlationid":"\uFFFE",`)), "invalid-attribute", "correlationid"},
		{"100 KB id (structured)", structuredRequest(structuredProbe(id100k, "abs-1", "")), "invalid-attribute", "id"},
		{"100 KB id (binary)", binaryRequest("application/json", `{}`, map[string]string{"Ce-Id": id100k}), "invalid-attribute", "id"},
		{"900 KB partitionkey (structured)", structuredRequest(structuredProbe("1", key900k, "")), "invalid-attribute", "partitionkey"},
		{"900 KB partitionkey (binary)", binaryRequest("application/json", `{}`, map[string]string{"Ce-Partitionkey": key900k}), "invalid-attribute", "partitionkey"},
		{"2 KB source (binary)", binaryRequest("application/json", `{}`, map[string]string{"Ce-Source": "/" + strings.Repeat("s", 2048)}), "invalid-attribute", "source"},
		{"5 KB extension value (binary)", binaryRequest("application/json", `{}`, map[string]string{"Ce-Correlationid": strings.Repeat("c", 5000)}), "invalid-attribute", "correlationid"},
		{"upper-case extension name A000 (structured)", structuredRequest(structuredProbe("1", "abs-1", `"A000":"0",`)), "invalid-attribute", "extensions"},
		{"upper-case and lower-case twins (structured)", structuredRequest(structuredProbe("1", "abs-1", `"a000":"0","A000":"1",`)), "invalid-attribute", "extensions"},
		{"extension name with a dash (structured)", structuredRequest(structuredProbe("1", "abs-1", `"bad-name":"x",`)), "invalid-attribute", "extensions"},
		{"21-character extension name (structured)", structuredRequest(structuredProbe("1", "abs-1", `"abcdefghijklmnopqrstu":"x",`)), "invalid-attribute", "extensions"},
		{"21-character extension name (binary)", binaryRequest("application/json", `{}`, map[string]string{"Ce-Abcdefghijklmnopqrstu": "x"}), "invalid-attribute", "extensions"},
		{"duplicate member (structured)", structuredRequest(structuredProbe("1", "abs-1", `"id":"2",`)), "invalid-attribute", "extensions"},
		{"duplicate header (binary)", func() *http.Request {
			r := binaryRequest("application/json", `{}`, nil)
			r.Header.Add("Ce-Partitionkey", "abs-2")
			return r
		}(), "invalid-attribute", "partitionkey"},
		{"invalid UTF-8 in id (structured)", structuredRequest(structuredProbe("a\xffb", "abs-1", "")), "utf8", ""},
		{"invalid UTF-8 in partitionkey (binary)", binaryRequest("application/json", `{}`, map[string]string{"Ce-Partitionkey": "abs-\xc3"}), "invalid-attribute", "partitionkey"},
		{"invalid UTF-8 in subject (binary)", binaryRequest("application/json", `{}`, map[string]string{"Ce-Subject": "\xe6\xf8\xe5"}), "invalid-attribute", "subject"},
		{"invalid UTF-8 in data (structured)", structuredRequest(strings.Replace(structuredProbe("1", "abs-1", ""), "hello", "h\xffllo", 1)), "utf8", ""},
		{"invalid UTF-8 in data (binary)", binaryRequest("application/json", "{\"note\":\"h\xffllo\"}", nil), "data-not-json", ""},
		{"invalid UTF-8 in base64 data (structured)", structuredRequest(strings.Replace(structuredProbe("1", "abs-1", ""), `"data":{"note":"hello"}`,
			`"data_base64":"`+base64.StdEncoding.EncodeToString([]byte("{\"note\":\"h\xffllo\"}"))+`"`, 1)), "data-not-json", ""},
		{"data declared JSON that is not (binary)", binaryRequest("application/json", "not json", nil), "data-not-json", ""},
		{"data declared +json that is not (binary)", binaryRequest("application/problem+json; charset=utf-8", "{", nil), "data-not-json", ""},
		{"specversion 0.3", structuredRequest(strings.Replace(structuredProbe("1", "abs-1", ""), `"specversion":"1.0"`, `"specversion":"0.3"`, 1)), "invalid-attribute", "specversion"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := runtime.ReadEvent(httptest.NewRecorder(), c.req, 2<<20)
			if err == nil {
				t.Fatal("accepted")
			}
			p := runtime.ProblemOf(err)
			if p.Status != http.StatusBadRequest || p.Code != c.code || p.Da == "" || p.En == "" {
				t.Fatalf("got %+v (%v), want 400 %s in Danish and English", p, err, c.code)
			}
			if c.field == "" {
				return
			}
			found := false
			for _, f := range p.Errors {
				if f.Field == c.field && f.Da != "" && f.En != "" {
					found = true
				}
			}
			if !found || !strings.Contains(p.En, c.field) || !strings.Contains(p.Da, c.field) {
				t.Fatalf("the answer does not name %s: %+v", c.field, p)
			}
			if len(p.Da)+len(p.En) > 2000 {
				t.Fatalf("the answer echoes the value: %d bytes", len(p.Da)+len(p.En))
			}
		})
	}
}

// TestReadEventAcceptsWhatTheSystemSends: the bounds refuse nothing the
// system or a sender legitimately sends: events.New's events in both modes,
// Danish letters, values at the limits, the broker's dead-letter extensions.
func TestReadEventAcceptsWhatTheSystemSends(t *testing.T) {
	t.Parallel()
	ev, err := events.New(events.ProbeRequested, "intake", fmt.Sprintf("reads/%d", rand.Uint64()), map[string]string{"note": "Søren Ærø på Ålandsvej"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev.SetSubject("fravær 2024 – første dag")
	ev.SetExtension(events.ExtTraceParent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	ev.SetExtension("knativeerrordata", base64.StdEncoding.EncodeToString([]byte(strings.Repeat("e", 1024))))
	ev.SetExtension("knativeerrorcode", "503")
	ev.SetExtension(events.ExtTenant, "cvr:30000005")
	atLimit := ev.Clone()
	atLimit.SetID(strings.Repeat("i", runtime.MaxIDBytes))
	atLimit.SetExtension(events.ExtPartitionKey, strings.Repeat("p", runtime.MaxPartitionKeyBytes))
	atLimit.SetExtension("abcdefghijklmnopqrst", "twenty")
	for _, c := range []struct {
		name string
		ev   cloudevents.Event
	}{{"events.New", ev}, {"at the limits", atLimit}} {
		for _, structured := range []bool{false, true} {
			var r *http.Request
			if structured {
				b, err := json.Marshal(c.ev)
				if err != nil {
					t.Fatal(err)
				}
				r = structuredRequest(string(b))
			} else {
				r = httptest.NewRequest(http.MethodPost, "/", nil)
				if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&c.ev), r); err != nil {
					t.Fatal(err)
				}
			}
			got, err := runtime.ReadEvent(httptest.NewRecorder(), r, 1<<20)
			if err != nil {
				t.Fatalf("%s (structured=%v): refused: %+v", c.name, structured, runtime.ProblemOf(err))
			}
			if got.ID() != c.ev.ID() || events.PartitionKey(got) != events.PartitionKey(c.ev) || got.Subject() != c.ev.Subject() {
				t.Fatalf("%s (structured=%v): changed: %v", c.name, structured, got)
			}
		}
	}
}

// TestNULInPartitionKeyIs400Not500: a structured event whose partitionkey
// holds NUL used to reach PostgreSQL (which refuses NUL in text) and get a
// 500, which the broker retries for ever; now it is a 400 naming the
// attribute, and nothing is stored. The same for the other bad attributes
// that reach the service's own endpoint.
func TestNULInPartitionKeyIs400Not500(t *testing.T) {
	t.Parallel()
	f := start(t)
	cases := map[string]func(ev *cloudevents.Event){
		"NUL in partitionkey":      func(ev *cloudevents.Event) { ev.SetExtension(events.ExtPartitionKey, "abs-\x00-1") },
		"NUL in subject":           func(ev *cloudevents.Event) { ev.SetSubject("a\x00b") },
		"100 KB id":                func(ev *cloudevents.Event) { ev.SetID(strings.Repeat("i", 100<<10)) },
		"900 KB partitionkey":      func(ev *cloudevents.Event) { ev.SetExtension(events.ExtPartitionKey, strings.Repeat("k", 900<<10)) },
		"invalid UTF-8 in the key": func(ev *cloudevents.Event) { ev.SetExtension(events.ExtPartitionKey, "abs-\xff") },
	}
	for name, spoil := range cases {
		ev := newEvent(t, "ok")
		spoil(&ev)
		// Binary mode cannot carry NUL in a header, so structured; the
		// invalid UTF-8 in binary mode (structured, the envelope is refused
		// as a whole).
		code, body := f.post(t, ev, !strings.Contains(name, "UTF-8"))
		if code != http.StatusBadRequest || !strings.Contains(body, `"code":"invalid-attribute"`) {
			t.Fatalf("%s: %d %.300s, want 400 invalid-attribute", name, code, body)
		}
		var inbox, entries int
		if err := f.Svc.DB.QueryRow(context.Background(), "SELECT count(*) FROM inbox WHERE id=$1", ev.ID()).Scan(&inbox); err != nil {
			t.Fatal(err)
		}
		if err := f.Svc.DB.QueryRow(context.Background(), "SELECT count(*) FROM ledger.entries WHERE event_id=$1 OR cause=$1", ev.ID()).Scan(&entries); err != nil {
			t.Fatal(err)
		}
		if inbox != 0 || entries != 0 {
			t.Fatalf("%s: %d inbox rows and %d ledger entries after a refusal", name, inbox, entries)
		}
	}
}
