package delivery

import (
	"bytes"
	"net/http"
	"time"
)

// SignedForTest returns the headers of a push of body to target signed
// with one key, for tests of VerifyPush.
func SignedForTest(target string, body []byte, keyID string, secret []byte, now time.Time) (http.Header, []byte) {
	req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/cloudevents+json; charset=utf-8")
	signPush(req, target, body, []SigningKey{{ID: keyID, Secret: secret}}, now)
	return req.Header, body
}
