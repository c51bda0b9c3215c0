package waiting_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// A reminder.due whose data does not fit its schema alerts nobody: it is
// refused with 400 and code invalid-data (runtime.Decode), never retried.
func TestDueReminderOfTheWrongShapeIsInvalidData(t *testing.T) {
	f := start(t)
	ev := mustEvent(t, events.ReminderDue, "abs-1", map[string]any{"id": "r-1", "audience": "citizen", "channels": "sms"})
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	runtimetest.SignDelivery(t, req, f.waitSvc.Name)
	rec := httptest.NewRecorder()
	f.waitSvc.Mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"code":"`+runtime.CodeInvalidData+`"`) {
		t.Fatalf("%d %s; want 400 %s", rec.Code, rec.Body, runtime.CodeInvalidData)
	}
	if n := outboxCount(t, f.waitSvc, events.SMSRequested); n != 0 {
		t.Fatalf("%d SMS requested for an invalid reminder", n)
	}
}
