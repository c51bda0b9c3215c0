package barsel

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestNewLeaveRefusesAnUnknownKindAndMissingParties(t *testing.T) {
	t.Parallel()
	if _, err := NewLeave("c1", "grandparent", "30000000", "0101901234", "", "2024-03-04"); !errors.Is(err, ErrLeaveKind) {
		t.Errorf("unknown kind: err = %v, want ErrLeaveKind", err)
	}
	if _, err := NewLeave("", KindEmployee, "30000000", "0101901234", "", "2024-03-04"); err == nil {
		t.Error("no case id: want an error")
	}
	l, err := NewLeave("c1", KindEmployee, "30000000", "0101901234", "", "2024-03-04")
	if err != nil || l.Status != StatusRequested || l.Version != 0 || len(l.Periods) != 0 {
		t.Fatalf("NewLeave = %+v, %v", l, err)
	}
	if got, want := l.Key(), "employee|30000000|0101901234|2024-03-04"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
}

// TestLeaveAddKeepsTheFirstDayOfLeave follows barselsloven § 40 stk. 6: the
// notification letter names the first day of leave, the earliest of every
// period reported, whatever order the requests came in.
func TestLeaveAddKeepsTheFirstDayOfLeave(t *testing.T) {
	t.Parallel()
	l, err := NewLeave("c1", KindEmployee, "30000000", "0101901234", "", "2024-03-04")
	if err != nil {
		t.Fatal(err)
	}
	l.Add([]Period{{From: date(11, time.March, 2024), To: date(17, time.March, 2024), Kind: "birth", HoursAbsent: 37}}, true)
	l.Add([]Period{{From: date(4, time.March, 2024), To: date(10, time.March, 2024), Kind: "birth", HoursAbsent: 37}}, false)
	if l.FirstAbsenceDay != "2024-03-04" || l.Version != 2 || l.LeaveContinues || len(l.Periods) != 2 {
		t.Errorf("after two requests: %+v", l)
	}
}

// TestLeaveStateJSONIsStable pins the stored field names of a leave: the
// state of every open case is stored in this shape.
func TestLeaveStateJSONIsStable(t *testing.T) {
	t.Parallel()
	l, err := NewLeave("c1", KindSelfEmployed, "30000000", "0101901234", "", "2024-03-04")
	if err != nil {
		t.Fatal(err)
	}
	l.PNumber = "1003388394"
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"c1","kind":"self-employed","cpr":"0101901234","cvr":"30000000","pNumber":"1003388394","childDate":"2024-03-04","status":"requested","version":0,"firstAbsenceDay":"","periods":null,"leaveContinues":false}`
	if string(b) != want {
		t.Errorf("state = %s\nwant    %s", b, want)
	}
}
