package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

// Issue 16's Low findings about input and answers, against the running
// stack's public origin: bad CloudEvents attributes (NUL in partitionkey,
// a 100 KB id, a 900 KB partition key, an upper-case extension name,
// invalid UTF-8) and years 0 and 9999 in a blanket get a 400 naming the
// attribute or field and store nothing; answers are marked no-store and
// nosniff; wrong client secrets at the token endpoint run into 429.

// hardeningEffects counts the accepted submissions from source and the
// submitters' ledger entries in streams starting with prefix (prefix, not
// the stream itself: some of the streams tried cannot be queried, as
// PostgreSQL refuses NUL in text).
func hardeningEffects(t *testing.T, source, prefix string) (subs, entries int) {
	t.Helper()
	ctx := context.Background()
	if err := db(t).QueryRow(ctx, `SELECT count(*) FROM accept.submissions WHERE source = $1`, source).Scan(&subs); err != nil {
		t.Fatal(err)
	}
	if err := db(t).QueryRow(ctx, `SELECT count(*) FROM ledger.entries WHERE starts_with(stream, $1) AND actor NOT LIKE 'function:%'`, prefix).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	return subs, entries
}

// noStoreNoSniff fails unless resp is marked never to be stored or sniffed.
func noStoreNoSniff(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: Cache-Control %q, X-Content-Type-Options %q, want no-store and nosniff", what, resp.Header.Get("Cache-Control"), resp.Header.Get("X-Content-Type-Options"))
	}
}

func TestHardeningBadAttributesAndDatesAreRefusedAndStoreNothing(t *testing.T) {
	t.Parallel()
	run := fmt.Sprint(time.Now().UnixNano())
	employer := token(t, devissuer.PersonaEmployer)
	report := employerReportData
	cases := []struct {
		name string
		// build returns the request body, content type and ce- headers
		// (binary mode when headers is not nil) for source and a stream
		// starting with prefix.
		build func(source, prefix string) (body, contentType string, headers map[string]string)
		field string // the attribute or field the answer must name
	}{
		{"NUL in partitionkey", func(source, prefix string) (string, string, map[string]string) {
			// %q in probeFrom would write \x00, which is not JSON.
			return strings.Replace(probeFrom(source, prefix+"NUL", "1", ""), prefix+"NUL", prefix+`\u0000x`, 1), "application/cloudevents+json", nil
		}, "partitionkey"},
		{"100 KB id", func(source, prefix string) (string, string, map[string]string) {
			return probeFrom(source, prefix, strings.Repeat("i", 100<<10), ""), "application/cloudevents+json", nil
		}, "id"},
		{"900 KB partitionkey", func(source, prefix string) (string, string, map[string]string) {
			return probeFrom(source, prefix+strings.Repeat("k", 900<<10), "1", ""), "application/cloudevents+json", nil
		}, "partitionkey"},
		{"upper-case extension name A000", func(source, prefix string) (string, string, map[string]string) {
			return probeFrom(source, prefix, "1", `"A000":"0",`), "application/cloudevents+json", nil
		}, "extensions"},
		{"invalid UTF-8 in partitionkey (binary)", func(source, prefix string) (string, string, map[string]string) {
			return `{"note":"bad input"}`, "application/json", map[string]string{"Ce-Partitionkey": prefix + "\xff"}
		}, "partitionkey"},
		{"invalid UTF-8 in subject (binary)", func(source, prefix string) (string, string, map[string]string) {
			return `{"note":"bad input"}`, "application/json", map[string]string{"Ce-Partitionkey": prefix, "Ce-Subject": "fravær\xe6"}
		}, "subject"},
		{"invalid UTF-8 in data (binary)", func(source, prefix string) (string, string, map[string]string) {
			return "{\"note\":\"bad \xff input\"}", "application/json", map[string]string{"Ce-Partitionkey": prefix}
		}, ""},
		{"invalid UTF-8 in data (structured)", func(source, prefix string) (string, string, map[string]string) {
			return strings.Replace(probeFrom(source, prefix, "1", ""), "bad input", "bad \xff input", 1), "application/cloudevents+json", nil
		}, ""},
		{"first absence day in year 0", func(source, prefix string) (string, string, map[string]string) {
			return reportFrom(source, prefix, strings.Replace(report, "2024-03-04", "0000-03-04", 1)), "application/cloudevents+json", nil
		}, "firstAbsenceDay"},
		{"first absence day in year 9999", func(source, prefix string) (string, string, map[string]string) {
			return reportFrom(source, prefix, strings.Replace(report, "2024-03-04", "9999-03-04", 1)), "application/cloudevents+json", nil
		}, "firstAbsenceDay"},
	}
	for i, c := range cases {
		source, prefix := fmt.Sprintf("/e2e/hardening/%s/%d", run, i), fmt.Sprintf("hardening-%s-%d", run, i)
		body, contentType, headers := c.build(source, prefix)
		req := newRequest(t, "POST", "/api/v1/events", contentType, employer, strings.NewReader(body))
		if headers != nil {
			for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Type": "dk.nemrefusion.system.probe.requested.v1", "Ce-Source": source, "Ce-Id": "1"} {
				req.Header.Set(k, v)
			}
			for k, v := range headers {
				req.Header[k] = []string{v}
			}
		}
		resp, err := badClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"da":"`) || !strings.Contains(string(b), `"en":"`) {
			t.Errorf("%s: %d %.400s, want a 400 problem in Danish and English", c.name, resp.StatusCode, b)
		} else if c.field != "" && !strings.Contains(string(b), `"field":"`+c.field+`"`) {
			t.Errorf("%s: the answer does not name %s: %.400s", c.name, c.field, b)
		}
		noStoreNoSniff(t, c.name, resp)
		if subs, entries := hardeningEffects(t, source, prefix); subs != 0 || entries != 0 {
			t.Errorf("%s: stored %d submissions and %d ledger entries", c.name, subs, entries)
		}
	}

	// The same probe, well formed, is accepted (the cases fail for their
	// one defect), and its receipt is not to be stored either.
	source, prefix := "/e2e/hardening/"+run+"/good", "hardening-"+run+"-good"
	req := newRequest(t, "POST", "/api/v1/events", "application/cloudevents+json", employer, strings.NewReader(probeFrom(source, prefix, "1", "")))
	resp, err := badClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("good probe: %d", resp.StatusCode)
	}
	noStoreNoSniff(t, "receipt", resp)
	if subs, entries := hardeningEffects(t, source, prefix); subs != 1 || entries != 1 {
		t.Fatalf("good probe: %d submissions and %d ledger entries, want 1 and 1", subs, entries)
	}
}

// reportFrom wraps blanket data as a structured employer report.
func reportFrom(source, stream, data string) string {
	return fmt.Sprintf(`{"specversion":"1.0","type":"dk.nemrefusion.sickness.employer.reported.v1","source":%q,"id":"1","partitionkey":%q,"datacontenttype":"application/json","data":%s}`,
		source, stream, data)
}

// employerReportData is the contract's example of an employer's sickness
// report (schemas/examples/sickness.employer.reported.v1.json).
const employerReportData = `{"cpr": "1203854321", "cvr": "30000005", "pNumber": "1000000001", "firstAbsenceDay": "2024-03-04", "weeklyHours": 37,
	"wagesPaid": true, "hourlyEarnings": 200.0, "employedSince": "2020-01-01", "pregnancyRelated": false, "flexjob": false,
	"retention": {"partialResumptionPossible": true, "expectsReturn": true, "retentionPlanWanted": false},
	"contact": {"name": "Lone Løn", "phone": "+4512345678", "email": "loen@example.dk"}}`

// Answers with personal data are never stored by a browser or proxy; the
// portal's pages are not sniffed and keep their Content-Security-Policy.
func TestHardeningAnswersAreNoStoreAndNoSniff(t *testing.T) {
	t.Parallel()
	citizen := token(t, devissuer.PersonaCitizen)
	for _, c := range []struct{ name, path, tok string }{
		{"citizen's absences", "/api/v1/citizen/absences", citizen},
		{"no token", "/api/v1/citizen/absences", ""},
	} {
		resp, err := badClient.Do(newRequest(t, "GET", c.path, "", c.tok, nil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		noStoreNoSniff(t, c.name, resp)
	}
	resp, err := badClient.Get(stack.Get().URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("portal: X-Content-Type-Options %q, Content-Security-Policy %q", resp.Header.Get("X-Content-Type-Options"), resp.Header.Get("Content-Security-Policy"))
	}
}

// Wrong client secrets at the public token endpoint: the first few get
// 401, then 429 with Retry-After and a body in Danish and English, even for
// the right secret. The client is one no other test authenticates as.
func TestHardeningWrongClientSecretsRunIntoRateLimit(t *testing.T) {
	t.Parallel()
	const client = "dev-case-system-aarhus"
	post := func(secret string) (int, string, string) {
		req, _ := http.NewRequest("POST", stack.Get().URL()+"/dev-issuer/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(client, secret)
		resp, err := badClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
	}
	counts := map[int]int{}
	for n := 0; n < 20; n++ {
		code, _, _ := post("guess-" + strconv.Itoa(n))
		counts[code]++
	}
	if counts[http.StatusUnauthorized] > devissuer.DefaultFailureBurst || counts[http.StatusTooManyRequests] < 20-devissuer.DefaultFailureBurst {
		t.Fatalf("20 wrong secrets: %v, want at most %d × 401 and the rest 429", counts, devissuer.DefaultFailureBurst)
	}
	code, retry, body := post(devissuer.ClientSecret(client))
	if s, err := strconv.Atoi(retry); code != http.StatusTooManyRequests || err != nil || s < 1 || !strings.Contains(body, `"da"`) || !strings.Contains(body, `"en"`) {
		t.Fatalf("right secret during the lockout: %d, Retry-After %q, %s", code, retry, body)
	}
}
