package broker

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/types"
	"github.com/nats-io/nats.go/jetstream"
)

// maxErrorData bounds the response body carried in knativeerrordata.
const maxErrorData = 1024

// When the dead-letter sink fails as well, an event is kept and tried again
// (subscriber, then dead-letter sink) at most dlsRetryCap apart, forever:
// nothing is dropped because both were down at once. After
// dlsQuietAttempts such rounds each one is logged as an error.
const (
	dlsRetryCap      = time.Minute
	dlsQuietAttempts = 3
)

// startTriggers creates or updates one durable consumer per Trigger,
// deletes consumers of Triggers that are gone, and starts a dispatcher per
// Trigger that runs until runCtx is done.
func (b *Broker) startTriggers(ctx, runCtx context.Context) error {
	want := map[string]map[string]bool{} // stream -> consumer names
	for _, bs := range b.man.Brokers {
		want[streamName(bs.Namespace, bs.Name)] = map[string]bool{}
	}
	for _, t := range b.man.Triggers {
		want[streamName(t.Namespace, t.Broker)][consumerName(t.Name)] = true
	}
	for stream, names := range want {
		s, err := b.js.Stream(ctx, stream)
		if err != nil {
			return fmt.Errorf("broker: open stream %s: %w", stream, err)
		}
		lister := s.ConsumerNames(ctx)
		var stale []string
		for name := range lister.Name() {
			if !names[name] {
				stale = append(stale, name)
			}
		}
		if err := lister.Err(); err != nil {
			return fmt.Errorf("broker: list consumers of %s: %w", stream, err)
		}
		for _, name := range stale {
			if err := s.DeleteConsumer(ctx, name); err != nil {
				return fmt.Errorf("broker: delete consumer %s of removed Trigger: %w", name, err)
			}
			b.log.Info("deleted consumer of a Trigger no longer in the manifests", "stream", stream, "consumer", name)
		}
	}
	for i := range b.man.Triggers {
		t := &b.man.Triggers[i]
		d, err := b.newDispatcher(t)
		if err != nil {
			return err
		}
		cons, err := b.js.CreateOrUpdateConsumer(ctx, streamName(t.Namespace, t.Broker), jetstream.ConsumerConfig{
			Durable:        consumerName(t.Name),
			Description:    "Knative Trigger " + t.Namespace + "/" + t.Name,
			DeliverPolicy:  jetstream.DeliverNewPolicy,
			AckPolicy:      jetstream.AckExplicitPolicy,
			AckWait:        b.cfg.AckWait,
			MaxDeliver:     -1,
			MaxAckPending:  max(1000, 4*b.cfg.MaxInFlight),
			FilterSubjects: filterSubjects(t),
		})
		if err != nil {
			return fmt.Errorf("broker: consumer for Trigger %s/%s: %w", t.Namespace, t.Name, err)
		}
		it, err := cons.Messages(jetstream.PullMaxMessages(2 * b.cfg.MaxInFlight))
		if err != nil {
			return fmt.Errorf("broker: consume for Trigger %s/%s: %w", t.Namespace, t.Name, err)
		}
		b.dispatch.Add(1)
		go func() {
			defer b.dispatch.Done()
			d.run(runCtx, it)
		}()
	}
	return nil
}

// delivery is a Trigger's delivery block with durations parsed and the
// Broker's block as fallback (Knative: the Trigger's wins when it has one).
type delivery struct {
	retry       int
	exponential bool
	delay       time.Duration
	timeout     time.Duration
	dls         *Destination
}

func resolveDelivery(trigger, broker *DeliverySpec, defaultTimeout time.Duration) delivery {
	spec := trigger
	if spec == nil {
		spec = broker
	}
	d := delivery{exponential: true, delay: 200 * time.Millisecond, timeout: defaultTimeout}
	if spec == nil {
		return d
	}
	if spec.Retry != nil {
		d.retry = int(*spec.Retry)
	}
	d.exponential = spec.BackoffPolicy != "linear"
	if v, err := ParseISODuration(spec.BackoffDelay); err == nil && spec.BackoffDelay != "" {
		d.delay = v
	}
	if v, err := ParseISODuration(spec.Timeout); err == nil && spec.Timeout != "" && v > 0 {
		d.timeout = v
	}
	if !spec.DeadLetterSink.IsZero() {
		d.dls = spec.DeadLetterSink
	}
	return d
}

// backoff is the wait before retry number n (1 for the first retry), as
// Knative computes it: delay*n for linear, delay*2^n for exponential,
// capped at one hour.
func (d delivery) backoff(n uint64) time.Duration {
	const maxBackoff = time.Hour
	if d.exponential {
		if n >= 32 {
			return maxBackoff
		}
		return min(d.delay*time.Duration(uint64(1)<<n), maxBackoff)
	}
	if n > uint64(maxBackoff/max(d.delay, 1)) {
		return maxBackoff
	}
	return d.delay * time.Duration(n)
}

// dispatcher delivers one Trigger's events.
type dispatcher struct {
	b       *Broker
	t       *TriggerSpec
	key     string // broker namespace/name
	del     delivery
	log     *slog.Logger
	sem     chan struct{}
	workers sync.WaitGroup

	mu     sync.Mutex
	queues map[string][]item // partitionkey -> waiting events
}

type item struct {
	msg  jetstream.Msg
	ev   cloudevents.Event
	stop func() // stops the in-progress signals for msg
}

func (b *Broker) newDispatcher(t *TriggerSpec) (*dispatcher, error) {
	key := t.Namespace + "/" + t.Broker
	bs, ok := b.brokers[key]
	if !ok {
		return nil, fmt.Errorf("broker: Trigger %s/%s: unknown broker %s", t.Namespace, t.Name, key)
	}
	return &dispatcher{
		b: b, t: t, key: key,
		del:    resolveDelivery(t.Delivery, bs.Delivery, b.cfg.DefaultTimeout),
		log:    b.log.With("trigger", t.Namespace+"/"+t.Name),
		sem:    make(chan struct{}, b.cfg.MaxInFlight),
		queues: map[string][]item{},
	}, nil
}

// run pulls messages until ctx is done, then drains what the client had
// buffered (handing it back to JetStream) and waits for its workers.
func (d *dispatcher) run(ctx context.Context, it jetstream.MessagesContext) {
	go func() {
		<-ctx.Done()
		it.Drain()
	}()
	for {
		msg, err := it.Next()
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				break
			}
			if ctx.Err() == nil {
				d.log.Warn("pull from JetStream", "err", err)
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		d.accept(ctx, msg)
	}
	d.workers.Wait()
}

// accept decodes and filters msg, then hands it to a worker: one per
// partitionkey in flight, or its own when the event has none.
func (d *dispatcher) accept(ctx context.Context, msg jetstream.Msg) {
	if ctx.Err() != nil {
		d.handBack(msg)
		return
	}
	var ev cloudevents.Event
	if err := ev.UnmarshalJSON(msg.Data()); err != nil {
		// Only the ingress writes the stream, so this is a broken store.
		d.log.Error("undecodable stored event, dropping it", "err", err)
		d.b.metrics.dropped.WithLabelValues(d.t.Name, "undecodable").Inc()
		_ = msg.Term()
		return
	}
	if !matches(d.t.Filter, &ev) {
		_ = msg.Ack()
		return
	}
	// From here until handled (also while waiting behind its partition
	// key), JetStream is told the message is in progress.
	it := item{msg: msg, ev: ev, stop: d.keepInProgress(msg)}
	pk := partitionKey(&ev)
	d.workers.Add(1)
	if pk == "" {
		go func() {
			defer d.workers.Done()
			d.handle(ctx, it)
		}()
		return
	}
	d.mu.Lock()
	if q, busy := d.queues[pk]; busy {
		d.queues[pk] = append(q, it)
		d.mu.Unlock()
		d.workers.Done()
		return
	}
	d.queues[pk] = []item{}
	d.mu.Unlock()
	go func() {
		defer d.workers.Done()
		next := it
		for {
			d.handle(ctx, next)
			d.mu.Lock()
			q := d.queues[pk]
			if len(q) == 0 {
				delete(d.queues, pk)
				d.mu.Unlock()
				return
			}
			next, d.queues[pk] = q[0], q[1:]
			d.mu.Unlock()
		}
	}()
}

// settle stops the in-progress signals, then acts on the message.
func (it item) settle(f func(jetstream.Msg)) {
	it.stop()
	f(it.msg)
}

// nak schedules another delivery after delay.
func (it item) nak(delay time.Duration) {
	it.stop()
	_ = it.msg.NakWithDelay(delay)
}

// handBack returns a message to JetStream for immediate redelivery, also
// after a restart (a delayed NAK stores its due time).
func (d *dispatcher) handBack(msg jetstream.Msg) { _ = msg.NakWithDelay(time.Millisecond) }

// handle delivers one event: to the subscriber, then per the outcome acks
// it, schedules a retry, or sends it to the dead-letter sink.
func (d *dispatcher) handle(ctx context.Context, it item) {
	defer it.stop()
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		it.settle(d.handBack)
		return
	}
	defer func() { <-d.sem }()

	attempt := uint64(1)
	if md, err := it.msg.Metadata(); err == nil {
		attempt = md.NumDelivered
	}
	res := d.deliver(ctx, &it.ev)
	if ctx.Err() != nil {
		it.settle(d.handBack)
		return
	}
	if res.ok() {
		if err := d.ack(it); err == nil {
			d.b.metrics.delivered.WithLabelValues(d.t.Name).Inc()
		}
		return
	}
	retriesLeft := attempt <= uint64(d.del.retry)
	if res.retryable() && retriesLeft {
		d.b.metrics.retried.WithLabelValues(d.t.Name).Inc()
		d.log.Info("delivery failed, will retry", "attempt", attempt, "status", res.status, "err", res.errText(),
			"type", it.ev.Type(), "id", it.ev.ID())
		it.nak(d.del.backoff(attempt))
		return
	}
	d.deadLetter(ctx, it, attempt, res)
}

// deliver posts the event to the subscriber and publishes a reply event
// into the Broker. A reply that cannot be stored fails the delivery.
func (d *dispatcher) deliver(ctx context.Context, ev *cloudevents.Event) result {
	url, err := d.b.resolve(&d.t.Subscriber, d.t.Namespace)
	if err != nil {
		return result{err: fmt.Errorf("resolve subscriber: %w", err)}
	}
	res := d.b.send(ctx, url, d.subject(), d.t.Subscriber.audience(), ev, d.del.timeout, true)
	if !res.ok() || res.reply == nil {
		return res
	}
	if err := d.b.publish(ctx, d.key, *res.reply); err != nil {
		if errors.Is(err, ErrInvalidEvent) {
			d.log.Warn("subscriber replied with an invalid event, ignoring the reply", "err", err)
			return res
		}
		return result{url: url, err: fmt.Errorf("store reply: %w", err)}
	}
	return res
}

// subject names the Trigger in its delivery tokens, as Knative names a
// Trigger's OIDC identity.
func (d *dispatcher) subject() string {
	return "trigger:" + d.t.Namespace + "/" + d.t.Name
}

// deadLetter sends the event with Knative's error extensions to the
// dead-letter sink, or drops it when there is none.
func (d *dispatcher) deadLetter(ctx context.Context, it item, attempt uint64, res result) {
	if d.del.dls == nil {
		d.b.metrics.dropped.WithLabelValues(d.t.Name, "no_dead_letter_sink").Inc()
		d.log.Warn("delivery failed and the Trigger has no dead-letter sink, dropping the event",
			"attempt", attempt, "status", res.status, "err", res.errText(), "type", it.ev.Type(), "id", it.ev.ID())
		_ = d.ack(it)
		return
	}
	ev := it.ev.Clone()
	ev.SetExtension("knativeerrordest", res.url)
	if res.status > 0 {
		ev.SetExtension("knativeerrorcode", strconv.Itoa(res.status))
	}
	if len(res.body) > 0 {
		body := res.body
		if len(body) > maxErrorData {
			body = body[:maxErrorData]
		}
		ev.SetExtension("knativeerrordata", base64.StdEncoding.EncodeToString(body))
	}
	url, err := d.b.resolve(d.del.dls, d.t.Namespace)
	var dres result
	if err != nil {
		dres = result{err: fmt.Errorf("resolve dead-letter sink: %w", err)}
	} else {
		dres = d.b.send(ctx, url, d.subject(), d.del.dls.audience(), &ev, d.del.timeout, false)
	}
	if ctx.Err() != nil {
		it.settle(d.handBack)
		return
	}
	if dres.ok() {
		if err := d.ack(it); err == nil {
			d.b.metrics.deadLettered.WithLabelValues(d.t.Name).Inc()
			d.log.Info("event sent to dead-letter sink", "attempt", attempt, "status", res.status,
				"err", res.errText(), "type", it.ev.Type(), "id", it.ev.ID())
		}
		return
	}
	// The dead-letter sink is down too (e.g. PostgreSQL, which both the
	// subscriber and the dead-letter function need, is unreachable): the event
	// is never dropped. It stays in the stream and is tried again, subscriber
	// first, at most dlsRetryCap apart, for as long as it takes.
	d.b.metrics.retried.WithLabelValues(d.t.Name).Inc()
	d.b.metrics.dlsFailing.WithLabelValues(d.t.Name).Inc()
	lvl := slog.LevelWarn
	if attempt >= uint64(d.del.retry)+1+dlsQuietAttempts {
		lvl = slog.LevelError
	}
	d.log.Log(ctx, lvl, "dead-letter sink failed, keeping the event and trying again", "attempt", attempt, "status", dres.status,
		"err", dres.errText(), "type", it.ev.Type(), "id", it.ev.ID())
	it.nak(min(d.del.backoff(attempt), dlsRetryCap))
}

// ack acknowledges and waits for JetStream to confirm, so a restart right
// after a delivery does not deliver it again.
func (d *dispatcher) ack(it item) error {
	it.stop()
	msg := it.msg
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := msg.DoubleAck(ctx); err != nil {
		d.log.Warn("ack not confirmed, the event may be delivered again", "err", err)
		return err
	}
	return nil
}

// keepInProgress tells JetStream the message is still being worked on
// every third of AckWait until the returned stop is called. stop must be
// called before the message is acked or NAKed (an in-progress signal after
// a delayed NAK would cancel the delay); it may be called more than once.
func (d *dispatcher) keepInProgress(msg jetstream.Msg) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(max(d.b.cfg.AckWait/3, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

// matches applies a Trigger's exact-match attribute filter. An empty
// filter, or an empty value for an attribute, matches anything (Knative).
func matches(filter map[string]string, ev *cloudevents.Event) bool {
	for name, want := range filter {
		if want == "" {
			continue
		}
		got, ok := attribute(ev, name)
		if !ok || got != want {
			return false
		}
	}
	return true
}

// attribute returns a context attribute or extension as its canonical string.
func attribute(ev *cloudevents.Event, name string) (string, bool) {
	switch name {
	case "specversion":
		return ev.SpecVersion(), true
	case "type":
		return ev.Type(), true
	case "source":
		return ev.Source(), true
	case "id":
		return ev.ID(), true
	case "subject":
		return ev.Subject(), ev.Subject() != ""
	case "datacontenttype":
		return ev.DataContentType(), ev.DataContentType() != ""
	case "dataschema":
		return ev.DataSchema(), ev.DataSchema() != ""
	case "time":
		if ev.Time().IsZero() {
			return "", false
		}
		return types.FormatTime(ev.Time()), true
	}
	v, ok := ev.Extensions()[name]
	if !ok {
		return "", false
	}
	s, err := types.Format(v)
	return s, err == nil
}

func partitionKey(ev *cloudevents.Event) string {
	s, _ := attribute(ev, "partitionkey")
	return s
}
