package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
)

// Limits on CloudEvents attributes, beyond what the CloudEvents 1.0.2 spec
// requires. The spec bounds no attribute's length; these are our policy, so
// that a single event cannot put 100 KB ids or 900 KB partition keys into
// the inbox, the ledger and every log line. They are far above anything the
// system itself produces: ids are UUIDv7 (36 bytes), sources
// "/nemrefusion/<function>" or a sender's short path, types
// "dk.nemrefusion.<family>.<name>.v1" (under 80), partition keys absence
// and case ids (UUIDs) or short stream names ("reads/<uuid>"), and the
// longest extension value is the broker's knativeerrordata (1,024 bytes of
// answer, base64: 1,368).
const (
	MaxIDBytes             = 256
	MaxSourceBytes         = 1024
	MaxTypeBytes           = 256
	MaxSubjectBytes        = 1024
	MaxDataSchemaBytes     = 1024
	MaxContentTypeBytes    = 256
	MaxPartitionKeyBytes   = 256
	MaxExtensionValueBytes = 4096
	// MaxExtensionNameLength is the spec's recommendation (attribute names
	// SHOULD NOT exceed 20 characters), which we make a rule.
	MaxExtensionNameLength = 20
)

// specAttributes are the context attributes of CloudEvents 1.0 and the
// members of the JSON format that are not extensions.
var specAttributes = map[string]bool{
	"specversion": true, "id": true, "source": true, "type": true, "datacontenttype": true,
	"dataschema": true, "subject": true, "time": true, "data": true, "data_base64": true,
}

// ValidAttributeName reports whether name is a CloudEvents attribute name we
// accept: lower-case ASCII letters and digits only (the spec's MUST) and at
// most MaxExtensionNameLength long (the spec's SHOULD, made a rule).
func ValidAttributeName(name string) bool {
	if name == "" || len(name) > MaxExtensionNameLength {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// stringProblem says what is wrong with s as a CloudEvents String of at most
// max bytes, or "" when nothing is. The spec's String type is valid Unicode
// without the control characters U+0000–U+001F and U+007F–U+009F, without
// surrogates and without noncharacters; valid UTF-8 cannot hold surrogates.
func stringProblem(s string, max int) string {
	if len(s) > max {
		return "too-long"
	}
	if !utf8.ValidString(s) {
		return "utf8"
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return "control-character"
		}
		if (r >= 0xfdd0 && r <= 0xfdef) || r&0xfffe == 0xfffe {
			return "noncharacter"
		}
	}
	return ""
}

// attributeError is the field error for one attribute and problem; it
// names the attribute, never its value.
func attributeError(fe *events.FieldErrors, attr, problem string, max int) {
	switch problem {
	case "too-long":
		fe.Add(attr, "too-long",
			fmt.Sprintf("CloudEvents-attributten %s er længere end %d bytes.", attr, max),
			fmt.Sprintf("The CloudEvents attribute %s is longer than %d bytes.", attr, max))
	case "utf8":
		fe.Add(attr, "utf8",
			fmt.Sprintf("CloudEvents-attributten %s er ikke gyldig UTF-8.", attr),
			fmt.Sprintf("The CloudEvents attribute %s is not valid UTF-8.", attr))
	case "control-character":
		fe.Add(attr, "control-character",
			fmt.Sprintf("CloudEvents-attributten %s indeholder kontroltegn (fx NUL eller linjeskift).", attr),
			fmt.Sprintf("The CloudEvents attribute %s contains control characters (such as NUL or newline).", attr))
	case "noncharacter":
		fe.Add(attr, "noncharacter",
			fmt.Sprintf("CloudEvents-attributten %s indeholder tegn, der ikke er tilladt i Unicode-tekst.", attr),
			fmt.Sprintf("The CloudEvents attribute %s contains Unicode noncharacters.", attr))
	}
}

func badName(fe *events.FieldErrors) {
	fe.Add("extensions", "attribute-name",
		fmt.Sprintf("Navne på CloudEvents-attributter må kun bestå af små bogstaver a-z og cifre 0-9 og højst være %d tegn.", MaxExtensionNameLength),
		fmt.Sprintf("CloudEvents attribute names must consist of lower-case letters a-z and digits 0-9 only, at most %d characters.", MaxExtensionNameLength))
}

// attributesInvalid wraps field errors about attributes as a 400. The
// message names the attributes (never their values).
func attributesInvalid(fe events.FieldErrors) error {
	seen := map[string]bool{}
	var names []string
	for _, f := range fe {
		if !seen[f.Field] {
			seen[f.Field] = true
			names = append(names, f.Field)
		}
	}
	list := strings.Join(names, ", ")
	return &Error{Kind: KindInvalid, Code: "invalid-attribute",
		Da:     "Beskedens CloudEvents-attributter er ikke gyldige: " + list + ".",
		En:     "The message's CloudEvents attributes are not valid: " + list + ".",
		Fields: fe}
}

// isJSON reports whether a datacontenttype says JSON: application/json,
// text/json or any +json type, with or without parameters.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// CheckAttributes applies the CloudEvents 1.0.2 rules the SDK does not
// enforce, and our bounds, to an event already decoded: spec version 1.0;
// id, source, type, subject, dataschema, datacontenttype and every string
// extension valid CloudEvents Strings (valid UTF-8, no control characters,
// no noncharacters) within the Max… limits above; extension names per
// ValidAttributeName; data, when present and the content type is JSON or
// absent, valid UTF-8 JSON. It returns nil or a 400 (code
// "invalid-attribute" with one field error per attribute, or
// "data-not-json"). Any caller that takes events from outside may use it;
// ReadEvent always does.
func CheckAttributes(ev cloudevents.Event) error {
	var fe events.FieldErrors
	if ev.SpecVersion() != cloudevents.VersionV1 {
		fe.Add("specversion", "unsupported",
			"Kun CloudEvents 1.0 modtages.", "Only CloudEvents 1.0 is accepted.")
		return attributesInvalid(fe)
	}
	for _, a := range []struct {
		name, value string
		max         int
	}{
		{"id", ev.ID(), MaxIDBytes},
		{"source", ev.Source(), MaxSourceBytes},
		{"type", ev.Type(), MaxTypeBytes},
		{"subject", ev.Subject(), MaxSubjectBytes},
		{"dataschema", ev.DataSchema(), MaxDataSchemaBytes},
		{"datacontenttype", ev.DataContentType(), MaxContentTypeBytes},
	} {
		attributeError(&fe, a.name, stringProblem(a.value, a.max), a.max)
	}
	exts := ev.Extensions()
	names := make([]string, 0, len(exts))
	for name := range exts {
		names = append(names, name)
	}
	sort.Strings(names)
	named := false
	for _, name := range names {
		if !ValidAttributeName(name) {
			if !named {
				badName(&fe)
				named = true
			}
			continue
		}
		max := MaxExtensionValueBytes
		if name == events.ExtPartitionKey {
			max = MaxPartitionKeyBytes
		}
		var s string
		switch v := exts[name].(type) {
		case string:
			s = v
		case fmt.Stringer: // URI, URI-reference, timestamp
			s = v.String()
		case []byte:
			if len(v) > max {
				s = string(make([]byte, max+1))
			}
		}
		attributeError(&fe, name, stringProblem(s, max), max)
	}
	if len(fe) > 0 {
		return attributesInvalid(fe)
	}
	if data := ev.Data(); len(data) > 0 && (ev.DataContentType() == "" || isJSON(ev.DataContentType())) {
		if !utf8.Valid(data) || !json.Valid(data) {
			return Fail(KindInvalid, "data-not-json",
				"Beskedens data er ikke gyldig JSON i UTF-8, som datacontenttype siger.",
				"The message's data is not valid UTF-8 JSON, as its datacontenttype says.", nil)
		}
	} else if len(data) > 0 && !utf8.Valid(data) {
		// No function takes binary data; text that is not UTF-8 could not
		// be passed on in structured mode either (the SDK writes it as a
		// JSON string).
		return Fail(KindInvalid, "data-not-utf8",
			"Beskedens data er ikke tekst i UTF-8.",
			"The message's data is not UTF-8 text.", nil)
	}
	return nil
}

// isStructured reports whether a request's content type is the CloudEvents
// JSON format (structured mode, one event).
func isStructured(contentType string) bool {
	// The media type as the CloudEvents SDK reads it (the lower-cased part
	// before any ";"), not mime.ParseMediaType, which fails on a broken
	// parameter ("application/cloudevents+json;\"") while the SDK still
	// decodes the body as a structured event, past checkEnvelope.
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/cloudevents+json")
}

// checkEnvelope checks a structured-mode body before the SDK decodes it,
// where the SDK would hide what is wrong: the body must be UTF-8 (RFC 8259
// requires it of JSON exchanged between systems), a JSON object whose
// members each occur once, and every member that is not a spec attribute
// must be a valid extension name. The SDK lower-cases names, so "A000"
// would otherwise be accepted as "a000", and "A000" next to "a000" would be
// silently merged.
func checkEnvelope(body []byte) error {
	notCE := func(err error) error {
		return Fail(KindInvalid, "not-a-cloudevent", "Beskeden er ikke en gyldig CloudEvent.", "The message is not a valid CloudEvent.", err)
	}
	if !utf8.Valid(body) {
		return Fail(KindInvalid, "utf8", "Beskeden er ikke gyldig UTF-8.", "The message is not valid UTF-8.", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return notCE(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return notCE(fmt.Errorf("structured event is not a JSON object"))
	}
	var fe events.FieldErrors
	seen := map[string]bool{}
	named := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return notCE(err)
		}
		name, _ := tok.(string)
		if seen[strings.ToLower(name)] {
			fe.Add("extensions", "duplicate",
				"En CloudEvents-attribut forekommer mere end én gang.", "A CloudEvents attribute occurs more than once.")
		}
		seen[strings.ToLower(name)] = true
		if !specAttributes[name] && !ValidAttributeName(name) && !named {
			badName(&fe)
			named = true
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return notCE(err)
		}
	}
	if len(fe) > 0 {
		return attributesInvalid(fe)
	}
	return nil
}

// checkBinaryHeaders refuses a binary-mode request that gives one
// attribute twice (the SDK would take the first and drop the others).
func checkBinaryHeaders(h http.Header) error {
	var fe events.FieldErrors
	for k, v := range h {
		if len(k) == 3 && strings.EqualFold(k, "ce-") {
			// A header named just "ce-" names no attribute (the SDK panics on it).
			fe.Add("extensions", "invalid-name",
				"En CloudEvents-header uden attributnavn (ce-) er ikke tilladt.", "A CloudEvents header without an attribute name (ce-) is not allowed.")
			continue
		}
		if len(k) > 3 && strings.EqualFold(k[:3], "ce-") && len(v) > 1 {
			name := strings.ToLower(k[3:])
			if !ValidAttributeName(name) {
				name = "extensions"
			}
			fe.Add(name, "duplicate",
				"CloudEvents-attributten "+name+" er angivet mere end én gang.", "The CloudEvents attribute "+name+" is given more than once.")
		}
	}
	if len(fe) > 0 {
		sort.Slice(fe, func(i, j int) bool { return fe[i].Field < fe[j].Field })
		return attributesInvalid(fe)
	}
	return nil
}
