package delivery

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Pushes are signed with HTTP Message Signatures (RFC 9421) using
// hmac-sha256 (RFC 9421 § 3.3.3) and a secret per recipient that only the
// recipient and NemRefusion know. Every push carries:
//
//	Content-Digest: sha-256=:<base64 SHA-256 of the body>:            (RFC 9530)
//	Signature-Input: sig-<keyid>=("@method" "@target-uri" "content-digest" "content-type");created=<unix>;keyid="<keyid>";alg="hmac-sha256"
//	Signature: sig-<keyid>=:<base64 HMAC-SHA256 over the signature base>:
//
// During a rollover (PushKeyRollover after a rotation) a push carries two
// signatures, one per secret, under two labels in the same two fields.
//
// The receiver verifies (any RFC 9421 library with hmac-sha256 does this;
// VerifyPush is the same in Go):
//  1. Content-Digest equals sha-256 of the body it received;
//  2. for a signature whose keyid it holds a secret for, it builds the
//     signature base (RFC 9421 § 2.5): one line per covered component,
//     `"@method": POST`, `"@target-uri": <the sink URL as registered>`,
//     `"content-digest": <the header>`, `"content-type": <the header>`, then
//     `"@signature-params": <the inner list and parameters exactly as in
//     Signature-Input>`, lines joined by "\n", no newline at the end;
//  3. compares HMAC-SHA256(secret, base) with the signature in constant time;
//  4. refuses a created more than 5 minutes from its clock, and
//     deduplicates on the CloudEvent id (a replay is the same item again).
const (
	// HeaderContentDigest, HeaderSignatureInput and HeaderSignature are the
	// fields of a signed push.
	HeaderContentDigest  = "Content-Digest"
	HeaderSignatureInput = "Signature-Input"
	HeaderSignature      = "Signature"
	// SignatureAlg is the RFC 9421 algorithm name.
	SignatureAlg = "hmac-sha256"
	// SignatureMaxAge is how old a signature a receiver should accept.
	SignatureMaxAge = 5 * time.Minute
)

// coveredComponents are what a push signature covers, in order.
var coveredComponents = []string{"@method", "@target-uri", "content-digest", "content-type"}

// SigningKey is one push secret of a recipient.
type SigningKey struct {
	ID     string
	Secret []byte
}

// newSigningKey returns a fresh random key: a 32-byte secret and a key id
// that names the recipient and a random part.
func newSigningKey(recipient string) (SigningKey, error) {
	secret := make([]byte, 32)
	id := make([]byte, 6)
	if _, err := rand.Read(secret); err != nil {
		return SigningKey{}, err
	}
	if _, err := rand.Read(id); err != nil {
		return SigningKey{}, err
	}
	return SigningKey{ID: "nr-" + strings.ToLower(recipient) + "-" + hex.EncodeToString(id), Secret: secret}, nil
}

// ContentDigest is the RFC 9530 Content-Digest value of body (sha-256).
func ContentDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
}

func signatureParams(created int64, keyID string) string {
	comps := make([]string, len(coveredComponents))
	for i, c := range coveredComponents {
		comps[i] = strconv.Quote(c)
	}
	return "(" + strings.Join(comps, " ") + ");created=" + strconv.FormatInt(created, 10) + ";keyid=" + strconv.Quote(keyID) + ";alg=" + strconv.Quote(SignatureAlg)
}

// signatureBase is the RFC 9421 § 2.5 signature base of a push.
func signatureBase(method, targetURI, contentDigest, contentType, params string) []byte {
	var b bytes.Buffer
	for i, v := range []string{method, targetURI, contentDigest, contentType} {
		fmt.Fprintf(&b, "%q: %s\n", coveredComponents[i], v)
	}
	fmt.Fprintf(&b, "%q: %s", "@signature-params", params)
	return b.Bytes()
}

func hmacOf(secret, msg []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(msg)
	return m.Sum(nil)
}

// label is the signature's label in the dictionaries: one per key.
func label(keyID string) string {
	return "sig-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(keyID))
}

// signPush sets Content-Digest and one signature per key on req, whose
// body is body and whose target is targetURI.
func signPush(req *http.Request, targetURI string, body []byte, keys []SigningKey, now time.Time) {
	digest := ContentDigest(body)
	req.Header.Set(HeaderContentDigest, digest)
	var inputs, sigs []string
	for _, k := range keys {
		params := signatureParams(now.Unix(), k.ID)
		mac := hmacOf(k.Secret, signatureBase(req.Method, targetURI, digest, req.Header.Get("Content-Type"), params))
		inputs = append(inputs, label(k.ID)+"="+params)
		sigs = append(sigs, label(k.ID)+"=:"+base64.StdEncoding.EncodeToString(mac)+":")
	}
	req.Header.Set(HeaderSignatureInput, strings.Join(inputs, ", "))
	req.Header.Set(HeaderSignature, strings.Join(sigs, ", "))
}

// ErrBadSignature is VerifyPush's answer for a push that is not signed
// with a known secret, whose body does not match its digest, or whose
// signature is too old.
var ErrBadSignature = errors.New("push signature does not verify")

// VerifyPush checks a push as a receiver does (see the package comment on
// push signatures): body is the body received, targetURI the sink URL as
// registered, secrets the receiver's secrets by key id. It returns the key
// id that verified, or an error matching ErrBadSignature.
func VerifyPush(h http.Header, method, targetURI string, body []byte, secrets map[string][]byte, now time.Time) (string, error) {
	digest := h.Get(HeaderContentDigest)
	if subtle.ConstantTimeCompare([]byte(digest), []byte(ContentDigest(body))) != 1 {
		return "", fmt.Errorf("%w: content digest", ErrBadSignature)
	}
	sigs := map[string]string{}
	for _, item := range strings.Split(h.Get(HeaderSignature), ",") {
		if l, v, ok := strings.Cut(strings.TrimSpace(item), "="); ok {
			sigs[l] = strings.Trim(v, ":")
		}
	}
	for _, item := range strings.Split(h.Get(HeaderSignatureInput), ",") {
		l, params, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			continue
		}
		var keyID string
		var created int64 = -1
		alg := ""
		for _, p := range strings.Split(params[strings.Index(params, ")")+1:], ";") {
			k, v, _ := strings.Cut(p, "=")
			switch k {
			case "keyid":
				keyID, _ = strconv.Unquote(v)
			case "created":
				created, _ = strconv.ParseInt(v, 10, 64)
			case "alg":
				alg, _ = strconv.Unquote(v)
			}
		}
		secret, known := secrets[keyID]
		if !known || alg != SignatureAlg || !strings.HasPrefix(params, signatureParams(created, keyID)[:strings.Index(signatureParams(created, keyID), ")")+1]) {
			continue
		}
		if age := now.Sub(time.Unix(created, 0)); age > SignatureMaxAge || age < -SignatureMaxAge {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sigs[l])
		if err != nil {
			continue
		}
		if hmac.Equal(got, hmacOf(secret, signatureBase(method, targetURI, digest, h.Get("Content-Type"), params))) {
			return keyID, nil
		}
	}
	return "", ErrBadSignature
}
