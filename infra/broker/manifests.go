package broker

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"

	"sigs.k8s.io/yaml"
)

// The API groups and kinds the broker understands. Every other document in
// the manifests tree is ignored.
const (
	apiEventing = "eventing.knative.dev/v1"
	apiSources  = "sources.knative.dev/v1"
	kindBroker  = "Broker"
	kindTrigger = "Trigger"
	kindPing    = "PingSource"
)

// meta is the part of a Kubernetes object every manifest shares.
type meta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// KReference names another object, as in a Knative Destination's ref.
type KReference struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace,omitempty"`
}

// Destination is a Knative Destination: a ref to a resolvable object, an
// absolute URI, or a ref plus a URI path relative to the ref's address.
type Destination struct {
	Ref *KReference `json:"ref,omitempty"`
	URI string      `json:"uri,omitempty"`
	// Audience is the OIDC audience of the destination: the audience of the
	// token each delivery to it carries (default: the ref's name).
	Audience string `json:"audience,omitempty"`
}

// IsZero reports whether the destination names nothing.
func (d *Destination) IsZero() bool { return d == nil || (d.Ref == nil && d.URI == "") }

// DeliverySpec is Knative's delivery block (spec.delivery on a Broker or a
// Trigger). Durations are ISO-8601 strings such as PT0.2S.
type DeliverySpec struct {
	DeadLetterSink *Destination `json:"deadLetterSink,omitempty"`
	Retry          *int32       `json:"retry,omitempty"`
	BackoffPolicy  string       `json:"backoffPolicy,omitempty"`
	BackoffDelay   string       `json:"backoffDelay,omitempty"`
	Timeout        string       `json:"timeout,omitempty"`
}

// BrokerSpec is the decoded spec of a Broker manifest.
type BrokerSpec struct {
	Name      string
	Namespace string
	Delivery  *DeliverySpec
	File      string
}

// TriggerSpec is the decoded spec of a Trigger manifest.
type TriggerSpec struct {
	Name       string
	Namespace  string
	Broker     string
	Filter     map[string]string
	Subscriber Destination
	Delivery   *DeliverySpec
	File       string
}

// PingSourceSpec is the decoded spec of a PingSource manifest.
type PingSourceSpec struct {
	Name        string
	Namespace   string
	Schedule    string
	Timezone    string
	ContentType string
	Data        string
	DataBase64  string
	Extensions  map[string]string
	Sink        Destination
	File        string
}

// Manifests is everything the broker read from a manifests tree.
type Manifests struct {
	Brokers     []BrokerSpec
	Triggers    []TriggerSpec
	PingSources []PingSourceSpec
}

type brokerDoc struct {
	Spec struct {
		Delivery *DeliverySpec `json:"delivery,omitempty"`
	} `json:"spec"`
}

type triggerDoc struct {
	Spec struct {
		Broker string `json:"broker"`
		Filter *struct {
			Attributes map[string]string `json:"attributes"`
		} `json:"filter,omitempty"`
		Subscriber Destination   `json:"subscriber"`
		Delivery   *DeliverySpec `json:"delivery,omitempty"`
	} `json:"spec"`
}

type pingDoc struct {
	Spec struct {
		Schedule    string      `json:"schedule"`
		Timezone    string      `json:"timezone"`
		ContentType string      `json:"contentType"`
		Data        string      `json:"data"`
		DataBase64  string      `json:"dataBase64"`
		Sink        Destination `json:"sink"`
		CEOverrides *struct {
			Extensions map[string]string `json:"extensions"`
		} `json:"ceOverrides,omitempty"`
	} `json:"spec"`
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// LoadManifests walks dir recursively and decodes every Broker, Trigger and
// PingSource in its .yaml and .yml files (multi-document files allowed).
// Other kinds, kustomization files and directories whose base name is in
// skipDirs are ignored. Objects without a namespace get namespace. It
// returns an error naming the file for a document that cannot be decoded, an
// object defined twice, an invalid spec or a Trigger whose Broker is not
// defined.
func LoadManifests(dir, namespace string, skipDirs []string) (*Manifests, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && slices.Contains(skipDirs, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk manifests %s: %w", dir, err)
	}
	sort.Strings(files)
	m := &Manifests{}
	seen := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read manifest: %w", err)
		}
		for i, doc := range docSeparator.Split(string(raw), -1) {
			if err := m.decode(f, i, []byte(doc), namespace, seen); err != nil {
				return nil, err
			}
		}
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Manifests) decode(file string, index int, doc []byte, namespace string, seen map[string]string) error {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil
	}
	var hd meta
	if err := yaml.Unmarshal(doc, &hd); err != nil {
		return fmt.Errorf("decode %s document %d: %w", file, index, err)
	}
	var known bool
	switch {
	case hd.APIVersion == apiEventing && (hd.Kind == kindBroker || hd.Kind == kindTrigger):
		known = true
	case hd.APIVersion == apiSources && hd.Kind == kindPing:
		known = true
	}
	if !known {
		return nil
	}
	ns := hd.Metadata.Namespace
	if ns == "" {
		ns = namespace
	}
	name := hd.Metadata.Name
	if name == "" {
		return fmt.Errorf("%s document %d: %s without metadata.name", file, index, hd.Kind)
	}
	key := hd.Kind + " " + ns + "/" + name
	if prev, ok := seen[key]; ok {
		return fmt.Errorf("%s defined twice (%s and %s): point the manifests directory at one kustomize base or skip the overlays", key, prev, file)
	}
	seen[key] = file
	where := fmt.Sprintf("%s (%s)", key, file)
	switch hd.Kind {
	case kindBroker:
		var d brokerDoc
		if err := yaml.Unmarshal(doc, &d); err != nil {
			return fmt.Errorf("decode %s: %w", where, err)
		}
		m.Brokers = append(m.Brokers, BrokerSpec{Name: name, Namespace: ns, Delivery: d.Spec.Delivery, File: file})
	case kindTrigger:
		var d triggerDoc
		if err := yaml.Unmarshal(doc, &d); err != nil {
			return fmt.Errorf("decode %s: %w", where, err)
		}
		t := TriggerSpec{Name: name, Namespace: ns, Broker: d.Spec.Broker, Subscriber: d.Spec.Subscriber, Delivery: d.Spec.Delivery, File: file}
		if t.Broker == "" {
			t.Broker = "default" // Knative's default broker name.
		}
		if d.Spec.Filter != nil {
			t.Filter = d.Spec.Filter.Attributes
		}
		m.Triggers = append(m.Triggers, t)
	case kindPing:
		var d pingDoc
		if err := yaml.Unmarshal(doc, &d); err != nil {
			return fmt.Errorf("decode %s: %w", where, err)
		}
		p := PingSourceSpec{
			Name: name, Namespace: ns, Schedule: d.Spec.Schedule, Timezone: d.Spec.Timezone,
			ContentType: d.Spec.ContentType, Data: d.Spec.Data, DataBase64: d.Spec.DataBase64,
			Sink: d.Spec.Sink, File: file,
		}
		if d.Spec.CEOverrides != nil {
			p.Extensions = d.Spec.CEOverrides.Extensions
		}
		m.PingSources = append(m.PingSources, p)
	}
	return nil
}

// validate checks every spec for what the broker needs to run it.
func (m *Manifests) validate() error {
	brokers := map[string]bool{}
	var errs []error
	for _, b := range m.Brokers {
		brokers[b.Namespace+"/"+b.Name] = true
		if err := validateDelivery(b.Delivery); err != nil {
			errs = append(errs, fmt.Errorf("Broker %s/%s (%s): %w", b.Namespace, b.Name, b.File, err))
		}
	}
	for _, t := range m.Triggers {
		where := fmt.Sprintf("Trigger %s/%s (%s)", t.Namespace, t.Name, t.File)
		if !brokers[t.Namespace+"/"+t.Broker] {
			errs = append(errs, fmt.Errorf("%s: broker %q is not defined in the manifests", where, t.Broker))
		}
		if err := validateDestination(&t.Subscriber); err != nil {
			errs = append(errs, fmt.Errorf("%s: subscriber: %w", where, err))
		}
		if err := validateDelivery(t.Delivery); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
	}
	for _, p := range m.PingSources {
		where := fmt.Sprintf("PingSource %s/%s (%s)", p.Namespace, p.Name, p.File)
		if p.Schedule == "" {
			errs = append(errs, fmt.Errorf("%s: spec.schedule is empty", where))
		}
		if p.Data != "" && p.DataBase64 != "" {
			errs = append(errs, fmt.Errorf("%s: spec.data and spec.dataBase64 are both set", where))
		}
		if err := validateDestination(&p.Sink); err != nil {
			errs = append(errs, fmt.Errorf("%s: sink: %w", where, err))
		}
		if p.Sink.Ref != nil && p.Sink.Ref.Kind == kindBroker && !brokers[refNamespace(p.Sink.Ref, p.Namespace)+"/"+p.Sink.Ref.Name] {
			errs = append(errs, fmt.Errorf("%s: sink broker %q is not defined in the manifests", where, p.Sink.Ref.Name))
		}
	}
	return errors.Join(errs...)
}

func refNamespace(r *KReference, def string) string {
	if r.Namespace != "" {
		return r.Namespace
	}
	return def
}

func validateDestination(d *Destination) error {
	if d.IsZero() {
		return errors.New("neither ref nor uri is set")
	}
	if d.Ref != nil && (d.Ref.Kind == "" || d.Ref.Name == "") {
		return errors.New("ref needs kind and name")
	}
	if d.Ref == nil {
		u, err := url.Parse(d.URI)
		if err != nil || !u.IsAbs() || u.Host == "" {
			return fmt.Errorf("uri %q without ref must be an absolute URL", d.URI)
		}
	}
	return nil
}

func validateDelivery(d *DeliverySpec) error {
	if d == nil {
		return nil
	}
	if d.Retry != nil && *d.Retry < 0 {
		return fmt.Errorf("delivery.retry %d is negative", *d.Retry)
	}
	switch d.BackoffPolicy {
	case "", "linear", "exponential":
	default:
		return fmt.Errorf("delivery.backoffPolicy %q is neither linear nor exponential", d.BackoffPolicy)
	}
	for field, v := range map[string]string{"backoffDelay": d.BackoffDelay, "timeout": d.Timeout} {
		if v == "" {
			continue
		}
		if _, err := ParseISODuration(v); err != nil {
			return fmt.Errorf("delivery.%s: %w", field, err)
		}
	}
	if d.DeadLetterSink != nil {
		if err := validateDestination(d.DeadLetterSink); err != nil {
			return fmt.Errorf("delivery.deadLetterSink: %w", err)
		}
	}
	return nil
}
