package broker

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/robfig/cron/v3"
)

// PingEventType is the type of every PingSource event, as Knative sends it.
const PingEventType = "dev.knative.sources.ping"

// ErrUnknownPingSource is returned by FirePing for a name not in the manifests.
var ErrUnknownPingSource = errors.New("unknown PingSource")

// cronSpec is the schedule with the time zone prefix robfig/cron understands.
func (p *PingSourceSpec) cronSpec() string {
	if p.Timezone == "" || strings.HasPrefix(p.Schedule, "CRON_TZ=") || strings.HasPrefix(p.Schedule, "TZ=") {
		return p.Schedule
	}
	return "CRON_TZ=" + p.Timezone + " " + p.Schedule
}

// startPings schedules every PingSource.
func (b *Broker) startPings() error {
	if len(b.man.PingSources) == 0 {
		return nil
	}
	c := cron.New()
	for i := range b.man.PingSources {
		p := &b.man.PingSources[i]
		_, err := c.AddFunc(p.cronSpec(), func() {
			ctx, cancel := context.WithTimeout(context.Background(), b.cfg.DefaultTimeout)
			defer cancel()
			if err := b.firePing(ctx, p); err != nil {
				b.log.Warn("PingSource event not delivered", "pingsource", p.Namespace+"/"+p.Name, "err", err)
			}
		})
		if err != nil {
			return fmt.Errorf("broker: schedule PingSource %s/%s: %w", p.Namespace, p.Name, err)
		}
	}
	b.mu.Lock()
	b.cron = c
	b.mu.Unlock()
	c.Start()
	return nil
}

// FirePing sends one event of the named PingSource now, as its schedule
// would. name is "name" in the configured namespace or "namespace/name". It
// returns ErrUnknownPingSource, or an error when the sink did not take the
// event.
func (b *Broker) FirePing(name string) error {
	key := name
	if !strings.Contains(name, "/") {
		key = b.cfg.Namespace + "/" + name
	}
	p, ok := b.pings[key]
	if !ok {
		return fmt.Errorf("fire %s: %w", key, ErrUnknownPingSource)
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.DefaultTimeout)
	defer cancel()
	return b.firePing(ctx, p)
}

// pingEvent builds the event a PingSource emits.
func pingEvent(p *PingSourceSpec, now time.Time) (cloudevents.Event, error) {
	ev := cloudevents.NewEvent()
	ev.SetID(uuid.NewString())
	ev.SetType(PingEventType)
	ev.SetSource("/apis/v1/namespaces/" + p.Namespace + "/pingsources/" + p.Name)
	ev.SetTime(now)
	var data []byte
	switch {
	case p.DataBase64 != "":
		var err error
		if data, err = base64.StdEncoding.DecodeString(p.DataBase64); err != nil {
			return ev, fmt.Errorf("decode spec.dataBase64: %w", err)
		}
	case p.Data != "":
		data = []byte(p.Data)
	}
	if data != nil {
		if err := ev.SetData(p.ContentType, data); err != nil {
			return ev, fmt.Errorf("set data: %w", err)
		}
	} else if p.ContentType != "" {
		ev.SetDataContentType(p.ContentType)
	}
	for k, v := range p.Extensions {
		if err := ev.Context.SetExtension(k, v); err != nil {
			return ev, fmt.Errorf("ceOverrides extension %q: %w", k, err)
		}
	}
	return ev, nil
}

func (b *Broker) firePing(ctx context.Context, p *PingSourceSpec) error {
	where := p.Namespace + "/" + p.Name
	ev, err := pingEvent(p, time.Now())
	if err != nil {
		return fmt.Errorf("PingSource %s: %w", where, err)
	}
	b.metrics.pings.WithLabelValues(where).Inc()
	if ref := p.Sink.Ref; ref != nil && ref.Kind == kindBroker && p.Sink.URI == "" {
		if err := b.publish(ctx, refNamespace(ref, p.Namespace)+"/"+ref.Name, ev); err != nil {
			return fmt.Errorf("PingSource %s: %w", where, err)
		}
		return nil
	}
	target, err := b.resolve(&p.Sink, p.Namespace)
	if err != nil {
		return fmt.Errorf("PingSource %s: sink: %w", where, err)
	}
	res := b.send(ctx, target, "pingsource:"+where, p.Sink.audience(), &ev, b.cfg.DefaultTimeout, false)
	if !res.ok() {
		return fmt.Errorf("PingSource %s: sink %s answered %d: %v", where, target, res.status, res.err)
	}
	return nil
}
