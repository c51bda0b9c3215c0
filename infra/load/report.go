package load

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Print writes the run's figures: throughput, per endpoint the requests,
// latency percentiles, statuses and errors, the client-side outcome of
// every answer and, when p is not nil, what the pipeline made of it and the
// end-to-end lag.
func Print(w io.Writer, res *Result, p *Pipeline) {
	fmt.Fprintf(w, "sent %d submissions in %s: %d accepted (%.1f/s), %d never accepted\n",
		res.Sent, res.Elapsed().Round(time.Millisecond), len(res.Accepted), res.Throughput(), len(res.Failed))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "endpoint\trequests\tp50\tp95\tp99\tmax\terrors\tstatuses\toutcomes")
	eps := res.Stats.Endpoints()
	eps = append(eps, res.Stats.Total(EventsEndpoint))
	for _, e := range eps {
		if e.Requests == 0 {
			continue
		}
		p50, p95, p99, mx := Quantiles(e.lat)
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", e.Name, e.Requests, ms(p50), ms(p95), ms(p99), ms(mx), e.Errors(), counts(e.Statuses), counts(e.Outcomes))
	}
	tw.Flush()
	for i, f := range res.Failed {
		if i == 5 {
			fmt.Fprintf(w, "  … %d more failures\n", len(res.Failed)-5)
			break
		}
		fmt.Fprintf(w, "  failed %s: %d %s\n", f.Kind, f.Status, strings.TrimSpace(f.Body))
	}
	if p == nil {
		return
	}
	fmt.Fprintf(w, "pipeline: %d accepted, %d processed (%d decided, %d rejected), %d not processed; %d delivered to the recipients' streams\n",
		p.Accepted, p.Processed, p.Decided, p.Rejected, p.Missing, p.Delivered)
	if len(p.Kinds) > 0 {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  kind\tfunction\taccepted\tprocessed\tdecided\trejected\tdelivered")
		for _, k := range Kinds {
			if f := p.Kinds[k]; f != nil {
				fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%d\t%d\n", k, k.Function(), f.Accepted, f.Processed, f.Decided, f.Rejected, f.Delivered)
			}
		}
		tw.Flush()
	}
	if len(p.Rejections) > 0 {
		fmt.Fprintf(w, "  rejections: %s\n", counts(p.Rejections))
	}
	if len(p.Lag) > 0 {
		p50, p95, p99, mx := Quantiles(p.Lag)
		fmt.Fprintf(w, "end-to-end lag (first post to the item in the recipient's stream): p50 %s  p95 %s  p99 %s  max %s; last delivery %s after the sending ended\n",
			ms(p50), ms(p95), ms(p99), ms(mx), ms(p.Drained))
		if d := p.LastDelivery.Sub(res.Started); d > 0 {
			fmt.Fprintf(w, "end-to-end throughput: %.1f deliveries/s (first post to last delivery)\n", float64(p.Delivered)/d.Seconds())
		}
	}
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func counts[K comparable](m map[K]int) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%v=%d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
