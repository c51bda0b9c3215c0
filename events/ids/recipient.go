package ids

import "strings"

// udkCode is the code of Udbetaling Danmark in a Recipient.
const udkCode = "UDK"

// Recipient is the authority that processes a report (modtager): a
// municipality by number, or Udbetaling Danmark (UDK). Its text form is the
// municipality number ("101") or "UDK".
type Recipient struct {
	udk bool
	m   Municipality
}

// UDK is Udbetaling Danmark as a recipient.
var UDK = Recipient{udk: true}

// MunicipalityRecipient returns the municipality m as a recipient; m must
// not be the zero value.
func MunicipalityRecipient(m Municipality) Recipient { return Recipient{m: m} }

// ParseRecipient parses "UDK" (any case) or a municipality number. It
// returns ErrRecipientFormat for anything else that is not a number and
// ErrMunicipalityUnknown for a number that is not a municipality.
func ParseRecipient(s string) (Recipient, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, udkCode) {
		return UDK, nil
	}
	if s == "" || !digits(s, len(s)) {
		return Recipient{}, ErrRecipientFormat
	}
	m, err := ParseMunicipality(s)
	if err != nil {
		return Recipient{}, err
	}
	return Recipient{m: m}, nil
}

// IsZero reports whether r is the zero value (no recipient).
func (r Recipient) IsZero() bool { return !r.udk && r.m.IsZero() }

// IsUDK reports whether r is Udbetaling Danmark.
func (r Recipient) IsUDK() bool { return r.udk }

// Municipality returns the municipality and true, or false for UDK and the zero value.
func (r Recipient) Municipality() (Municipality, bool) { return r.m, !r.m.IsZero() }

// Name returns "Udbetaling Danmark" or the municipality's official name:
// its name followed by "Kommune" ("Aarhus Kommune"), except the two that
// are named otherwise ("Københavns Kommune", "Bornholms Regionskommune").
func (r Recipient) Name() string {
	switch {
	case r.udk:
		return "Udbetaling Danmark"
	case r.m.IsZero():
		return ""
	case r.m.Number() == 101:
		return "Københavns Kommune" // the official name is genitive
	case r.m.Number() == 400:
		return "Bornholms Regionskommune"
	default:
		return r.m.Name() + " Kommune"
	}
}

// String returns "UDK" or the municipality number.
func (r Recipient) String() string {
	if r.udk {
		return udkCode
	}
	return r.m.String()
}

// MarshalText returns "UDK" or the municipality number; the zero value
// marshals to "".
func (r Recipient) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses like ParseRecipient.
func (r *Recipient) UnmarshalText(b []byte) error {
	v, err := ParseRecipient(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}
