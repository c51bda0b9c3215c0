package documents_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"nemrefusion.dk/infra/clamav"
	"nemrefusion.dk/infra/devissuer"
)

// BenchmarkScanAndStore compares, in the same run and in alternating
// rounds, for a 100 KB and a 5 MB PDF:
//
//   - put: one raw S3 PUT of the file (the baseline);
//   - scan-store: what the pipeline does with the store and clamd: PUT to
//     quarantine, INSTREAM scan, server-side copy to documents, delete from
//     quarantine;
//   - upload: the whole HTTP upload (multipart, token check, quarantine,
//     Postgres row and ledger entry, scan, release, event).
//
// It reports the mean milliseconds of each and the ratios to put:
//
//	go test -run '^$' -bench ScanAndStore -benchtime 20x ./documents/
func BenchmarkScanAndStore(b *testing.B) {
	f := start(b, options{})
	tok := f.PersonaToken(b, devissuer.PersonaCitizen)
	scanner := clamav.New(f.proxy.target)
	ctx := context.Background()
	for _, size := range []int{100 << 10, 5 << 20} {
		file := append(samplePDF(), bytes.Repeat([]byte("0123456789abcdef"), size/16)...)[:size]
		b.Run(fmt.Sprintf("size=%dKB", size>>10), func(b *testing.B) {
			var tPut, tScan, tUpload time.Duration
			key := 0
			put := func() {
				key++
				start := time.Now()
				if err := f.store.Put(ctx, f.docs, fmt.Sprintf("bench-put-%d", key), bytes.NewReader(file), "application/pdf"); err != nil {
					b.Fatal(err)
				}
				tPut += time.Since(start)
			}
			scanStore := func() {
				key++
				k := fmt.Sprintf("bench-scan-%d", key)
				start := time.Now()
				if err := f.store.Put(ctx, f.quar, k, bytes.NewReader(file), "application/pdf"); err != nil {
					b.Fatal(err)
				}
				v, err := scanner.Scan(ctx, bytes.NewReader(file))
				if err != nil || v.Status != clamav.Clean {
					b.Fatalf("scan: %+v %v", v, err)
				}
				if err := f.store.Copy(ctx, f.quar, k, f.docs, k); err != nil {
					b.Fatal(err)
				}
				if err := f.store.Delete(ctx, f.quar, k); err != nil {
					b.Fatal(err)
				}
				tScan += time.Since(start)
			}
			up := func() {
				start := time.Now()
				code, out := upload(b, f.URL(), tok, "bench.pdf", "Benchmark", file)
				if code != http.StatusCreated || out["status"] != "accepted" {
					b.Fatalf("upload: %d %v", code, out)
				}
				tUpload += time.Since(start)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Rotate the order so no step always runs first.
				switch i % 3 {
				case 0:
					put()
					scanStore()
					up()
				case 1:
					scanStore()
					up()
					put()
				default:
					up()
					put()
					scanStore()
				}
			}
			b.StopTimer()
			n := float64(b.N)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
			b.ReportMetric(ms(tPut), "put-ms")
			b.ReportMetric(ms(tScan), "scan-store-ms")
			b.ReportMetric(ms(tUpload), "upload-ms")
			b.ReportMetric(tScan.Seconds()/tPut.Seconds(), "scan-store/put")
			b.ReportMetric(tUpload.Seconds()/tPut.Seconds(), "upload/put")
			b.ReportMetric(0, "ns/op")
		})
	}
}
