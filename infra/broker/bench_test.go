package broker

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/google/uuid"
)

// BenchmarkIngress measures posting one binary-mode CloudEvent to the
// ingress until the 202 (stored and acknowledged by JetStream). The Broker
// has one Trigger whose subscriber answers 200 at once, so delivery runs
// alongside as it would in the local stack.
func BenchmarkIngress(b *testing.B) {
	all := newSubscriber(b, nil)
	br := startBroker(b, "dedupe", b.TempDir(), services(map[string]*subscriber{"all": all}), nil)
	url := br.IngressURL("default")
	body := []byte(`{"absenceId":"00000000-0000-0000-0000-000000000000","firstDay":"2026-01-05"}`)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Ce-Specversion", "1.0")
			req.Header.Set("Ce-Id", uuid.NewString())
			req.Header.Set("Ce-Source", "/bench")
			req.Header.Set("Ce-Type", typeReported)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
