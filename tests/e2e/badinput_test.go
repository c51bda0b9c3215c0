package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

// Bad input at the public origin: an oversized body, a deeply nested JSON
// document, a wrong content type, a replayed token and a forged token each
// get a clear 4xx with a problem in Danish and English, within a bounded
// time, and change nothing (no submission stored, no ledger entry).
//
// "Replay" for bearer JWTs means: the same token used again after it
// expired (401; tokens are short-lived and there is no logout that could
// revoke one earlier, so expiry is the end of a token's life), the same
// authorization code exchanged twice at the development issuer (refused
// with invalid_grant), and the same submission posted twice (one receipt,
// one effect).

// badClient bounds every request: an endpoint that hangs fails the test.
var badClient = &http.Client{Timeout: 60 * time.Second}

// badSend sends req and returns the status, the WWW-Authenticate header and
// the decoded problem; it fails the test when the answer is not a 4xx
// problem with a code and both texts.
func badSend(t *testing.T, what string, req *http.Request) (int, map[string]any) {
	t.Helper()
	start := time.Now()
	resp, err := badClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var p map[string]any
	_ = json.Unmarshal(b, &p)
	da, _ := p["da"].(string)
	en, _ := p["en"].(string)
	code, _ := p["code"].(string)
	if resp.StatusCode < 400 || resp.StatusCode >= 500 || da == "" || en == "" || code == "" {
		t.Fatalf("%s: %d after %v, want a 4xx problem in Danish and English: %.300s", what, resp.StatusCode, time.Since(start), b)
	}
	if resp.StatusCode == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
		t.Fatalf("%s: 401 without WWW-Authenticate", what)
	}
	return resp.StatusCode, p
}

// intakeEffects counts what intake stored for submissions from source and
// the ledger entries made for a submitter in stream (the entries of the
// functions that consume an accepted submission arrive asynchronously and
// are not counted).
func intakeEffects(t *testing.T, source, stream string) (subs, entries int) {
	t.Helper()
	ctx := context.Background()
	if err := db(t).QueryRow(ctx, `SELECT count(*) FROM accept.submissions WHERE source = $1`, source).Scan(&subs); err != nil {
		t.Fatal(err)
	}
	if err := db(t).QueryRow(ctx, `SELECT count(*) FROM ledger.entries WHERE stream = $1 AND actor NOT LIKE 'function:%'`, stream).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	return subs, entries
}

// probeFrom is a structured-mode probe from source into stream, with extra
// JSON members (e.g. padding) before the data.
func probeFrom(source, stream, id, extra string) string {
	return fmt.Sprintf(`{"specversion":"1.0","type":"dk.nemrefusion.system.probe.requested.v1","source":%q,"id":%q,"partitionkey":%q,%s"datacontenttype":"application/json","data":{"note":"bad input"}}`,
		source, id, stream, extra)
}

func newRequest(t *testing.T, method, path, contentType, tok string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, stack.Get().URL()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req
}

// deep is a JSON document of n nested arrays.
func deep(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

func TestBadBodiesAreRefusedWith4xxAndChangeNothing(t *testing.T) {
	t.Parallel()
	run := fmt.Sprint(time.Now().UnixNano())
	employer := token(t, devissuer.PersonaEmployer)
	caseSystem := token(t, devissuer.PersonaCaseSystem)
	citizen := token(t, devissuer.PersonaCitizen)
	admin := token(t, devissuer.PersonaAdmin)
	big := strings.Repeat("x", 2<<20)
	nested := deep(100000)

	// Intake: every bad body, each from its own source into its own stream.
	intakeCases := []struct {
		name, contentType, headers, body string
	}{
		{"oversized structured event", "application/cloudevents+json", "", ""}, // body set below
		{"oversized binary event", "application/json", "binary", `{"note":"` + big + `"}`},
		{"deep JSON as the event", "application/cloudevents+json", "", nested},
		{"deep JSON as the data", "application/cloudevents+json", "", ""}, // body set below
		{"deep JSON in binary mode", "application/json", "binary", `{"note":` + nested + `}`},
		{"deep objects in binary mode", "application/json", "binary", strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)},
		{"text/plain", "text/plain", "", ""},
		{"application/xml", "application/xml", "", `<event><type>dk.nemrefusion.system.probe.requested.v1</type></event>`},
		{"form data", "application/x-www-form-urlencoded", "", "specversion=1.0&type=dk.nemrefusion.system.probe.requested.v1"},
		{"no content type", "", "", ""},
		{"batch mode", "application/cloudevents-batch+json", "", ""},
	}
	for i, c := range intakeCases {
		source, stream := fmt.Sprintf("/e2e/badinput/%s/%d", run, i), fmt.Sprintf("badinput-%s-%d", run, i)
		body := c.body
		switch {
		case c.name == "oversized structured event":
			body = probeFrom(source, stream, "1", `"pad":"`+big+`",`)
		case c.name == "deep JSON as the data":
			body = strings.Replace(probeFrom(source, stream, "1", ""), `{"note":"bad input"}`, nested, 1)
		case c.name == "batch mode":
			body = "[" + probeFrom(source, stream, "1", "") + "]"
		case body == "":
			body = probeFrom(source, stream, "1", "")
		}
		req := newRequest(t, "POST", "/api/v1/events", c.contentType, employer, strings.NewReader(body))
		if c.headers == "binary" {
			for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Type": "dk.nemrefusion.system.probe.requested.v1",
				"Ce-Source": source, "Ce-Id": "1", "Ce-Partitionkey": stream} {
				req.Header.Set(k, v)
			}
		}
		badSend(t, "intake: "+c.name, req)
		if subs, entries := intakeEffects(t, source, stream); subs != 0 || entries != 0 {
			t.Fatalf("intake: %s stored %d submissions and %d ledger entries", c.name, subs, entries)
		}
	}

	// The same probe, well formed, is accepted: the cases above fail for
	// their one defect.
	source, stream := "/e2e/badinput/"+run+"/good", "badinput-"+run+"-good"
	if code, out := postEventAs(t, employer, probeFrom(source, stream, "1", "")); code != http.StatusAccepted {
		t.Fatalf("good probe: %d %v", code, out)
	}
	if subs, entries := intakeEffects(t, source, stream); subs != 1 || entries != 1 {
		t.Fatalf("good probe: %d submissions and %d ledger entries, want 1 and 1", subs, entries)
	}

	// The other functions' JSON endpoints, and documents' upload.
	var upload bytes.Buffer
	mw := multipart.NewWriter(&upload)
	_ = mw.WriteField("title", "For stor")
	fw, _ := mw.CreateFormFile("file", "stor.pdf")
	_, _ = fw.Write([]byte("%PDF-1.4\n"))
	_, _ = fw.Write(bytes.Repeat([]byte("0"), 11<<20))
	_ = mw.Close()
	others := []struct {
		name, method, path, tok, contentType string
		body                                 func() io.Reader
	}{
		{"delivery ack: oversized", "POST", "/api/v1/deliveries/101/ack", caseSystem, "application/json", func() io.Reader { return strings.NewReader(`{"cursor":"` + big + `"}`) }},
		{"delivery ack: deep JSON", "POST", "/api/v1/deliveries/101/ack", caseSystem, "application/json", func() io.Reader { return strings.NewReader(nested) }},
		{"delivery ack: XML", "POST", "/api/v1/deliveries/101/ack", caseSystem, "application/xml", func() io.Reader { return strings.NewReader("<ack cursor='1'/>") }},
		{"delivery sink: deep JSON", "PUT", "/api/v1/deliveries/101/sink", caseSystem, "application/json", func() io.Reader { return strings.NewReader(`{"url":` + nested + `}`) }},
		{"populations: deep JSON", "PUT", "/api/v1/admin/populations/2024", admin, "application/json", func() io.Reader { return strings.NewReader(nested) }},
		{"citizen recovery: oversized", "POST", "/api/v1/citizen/absences/00000000-0000-0000-0000-000000000000/recovery", citizen, "application/json", func() io.Reader { return strings.NewReader(`{"x":"` + big + `"}`) }},
		{"citizen recovery: deep JSON", "POST", "/api/v1/citizen/absences/00000000-0000-0000-0000-000000000000/recovery", citizen, "application/json", func() io.Reader { return strings.NewReader(nested) }},
		{"documents: oversized file", "POST", "/api/v1/documents", citizen, mw.FormDataContentType(), func() io.Reader { return bytes.NewReader(upload.Bytes()) }},
		{"documents: JSON instead of a form", "POST", "/api/v1/documents", citizen, "application/json", func() io.Reader { return strings.NewReader(`{"title":"x"}`) }},
		{"documents: deep JSON", "POST", "/api/v1/documents", citizen, "application/json", func() io.Reader { return strings.NewReader(nested) }},
	}
	for _, c := range others {
		badSend(t, c.name, newRequest(t, c.method, c.path, c.contentType, c.tok, c.body()))
	}
}

func TestReplayedTokensCodesAndSubmissions(t *testing.T) {
	t.Parallel()
	run := fmt.Sprint(time.Now().UnixNano())
	employer, _ := devissuer.PersonaByKey(devissuer.PersonaEmployer)

	// A token used once, then again after it expired: 401, nothing stored.
	short, err := stack.Issuer().Mint(employer.Claims, devissuer.MintOptions{TTL: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	source, stream := "/e2e/replay/"+run, "replay-"+run
	if code, out := postEventAs(t, short, probeFrom(source, stream, "1", "")); code != http.StatusAccepted {
		t.Fatalf("fresh short-lived token: %d %v", code, out)
	}
	subs, entries := intakeEffects(t, source, stream)
	time.Sleep(3 * time.Second)
	badSend(t, "expired token replayed", newRequest(t, "POST", "/api/v1/events", "application/cloudevents+json", short,
		strings.NewReader(probeFrom(source, stream, "2", ""))))
	if s, e := intakeEffects(t, source, stream); s != subs || e != entries {
		t.Fatalf("the expired token changed things: %d→%d submissions, %d→%d entries", subs, s, entries, e)
	}

	// The same submission again with a valid token: the same receipt and
	// no second effect.
	tok := token(t, devissuer.PersonaEmployer)
	body := probeFrom(source+"/again", stream+"-again", "1", "")
	code, first := postEventAs(t, tok, body)
	if code != http.StatusAccepted {
		t.Fatalf("first post: %d %v", code, first)
	}
	s1, e1 := intakeEffects(t, source+"/again", stream+"-again")
	code, second := postEventAs(t, tok, body)
	if code != http.StatusAccepted || second["receipt"] != first["receipt"] {
		t.Fatalf("replayed submission: %d %v, first %v", code, second, first)
	}
	if s2, e2 := intakeEffects(t, source+"/again", stream+"-again"); s2 != s1 || e2 != e1 || s1 != 1 || e1 != 1 {
		t.Fatalf("replayed submission: %d→%d submissions, %d→%d entries", s1, s2, e1, e2)
	}

	// An authorization code exchanged twice: the second exchange is refused.
	base := stack.Get().URL()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	verifier := "e2e-replay-verifier-" + strings.Repeat("y", 40)
	sum := sha256.Sum256([]byte(verifier))
	redirect := base + "/callback"
	q := url.Values{"response_type": {"code"}, "client_id": {devissuer.WebClientID}, "redirect_uri": {redirect}, "scope": {"openid"},
		"state": {"st"}, "nonce": {"no"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	resp, err := browser.Get(base + "/dev-issuer/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginField.FindStringSubmatch(string(page))
	if m == nil {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}
	resp, err = browser.PostForm(base+"/dev-issuer/authorize", url.Values{"login": {m[1]}, "persona": {devissuer.PersonaCitizen}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Query().Get("code") == "" {
		t.Fatalf("redirect: %d %s", resp.StatusCode, back)
	}
	exchange := func() (int, map[string]any) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {redirect},
			"client_id": {devissuer.WebClientID}, "code_verifier": {verifier}}
		resp, err := badClient.Post(base+"/dev-issuer/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, out := exchange(); code != http.StatusOK || out["access_token"] == nil {
		t.Fatalf("first exchange: %d %v", code, out)
	}
	if code, out := exchange(); code != http.StatusBadRequest || out["error"] != "invalid_grant" || out["access_token"] != nil {
		t.Fatalf("the code exchanged again: %d %v", code, out)
	}
}

// jwtPart encodes one part of a compact JWT.
func jwtPart(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestForgedTokensAreRefusedWith401(t *testing.T) {
	t.Parallel()
	run := fmt.Sprint(time.Now().UnixNano())
	iss := stack.Issuer()
	employer, _ := devissuer.PersonaByKey(devissuer.PersonaEmployer)
	good, err := iss.Mint(employer.Claims, devissuer.MintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	var header map[string]any
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	_ = json.Unmarshal(hb, &header)
	var claims map[string]any
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	_ = json.Unmarshal(cb, &claims)

	other, err := devissuer.New(devissuer.Config{Issuer: iss.URL()}) // same issuer URL, another key
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := other.Mint(employer.Claims, devissuer.MintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The issuer's public key set, which an "alg confusion" forger uses as
	// an HMAC secret.
	resp, err := badClient.Get(iss.URL() + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	hs := map[string]any{"alg": "HS256", "typ": "JWT", "kid": header["kid"]}
	mac := hmac.New(sha256.New, jwks)
	mac.Write([]byte(jwtPart(hs) + "." + parts[1]))
	tampered := map[string]any{}
	for k, v := range claims {
		tampered[k] = v
	}
	tampered["role"] = "admin"
	delete(tampered, "cvr")

	forged := map[string]string{
		"signed with another key":  otherKey,
		"alg none":                 jwtPart(map[string]any{"alg": "none", "typ": "JWT"}) + "." + parts[1] + ".",
		"alg none, no dot":         jwtPart(map[string]any{"alg": "none"}) + "." + parts[1],
		"alg none, kept signature": jwtPart(map[string]any{"alg": "none", "kid": header["kid"]}) + "." + parts[1] + "." + parts[2],
		"HS256 with the JWKS":      jwtPart(hs) + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)),
		"claims changed":           parts[0] + "." + jwtPart(tampered) + "." + parts[2],
		"signature cut":            parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])/2],
		"not a JWT":                "Zm9vYmFy",
	}
	i := 0
	for name, tok := range forged {
		i++
		source, stream := fmt.Sprintf("/e2e/forged/%s/%d", run, i), fmt.Sprintf("forged-%s-%d", run, i)
		code, _ := badSend(t, name, newRequest(t, "POST", "/api/v1/events", "application/cloudevents+json", tok,
			strings.NewReader(probeFrom(source, stream, "1", ""))))
		if code != http.StatusUnauthorized {
			t.Fatalf("%s: %d, want 401", name, code)
		}
		if subs, entries := intakeEffects(t, source, stream); subs != 0 || entries != 0 {
			t.Fatalf("%s: stored %d submissions and %d ledger entries", name, subs, entries)
		}
		badSend(t, name+" (audit)", newRequest(t, "GET", "/api/v1/audit/streams/"+stream, "", tok, nil))
	}
	// The genuine token passes: the forgeries fail for their one defect.
	if code, out := postEventAs(t, good, probeFrom("/e2e/forged/"+run+"/good", "forged-"+run+"-good", "1", "")); code != http.StatusAccepted {
		t.Fatalf("genuine token: %d %v", code, out)
	}
}
