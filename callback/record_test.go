package callback_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestRecordOff: a line with record: false connects the call as usual, but
// no recording is written nor attached to the Bitrix24 call.
func TestRecordOff(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick(), NoRecord: true}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	id := e.request(clientRaw, "LEAD", 5785)
	e.run(id)
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback %+v", cb)
	}
	calls := e.checkCRM()
	if len(calls) != 1 || calls[0].StatusCode != "200" || calls[0].Duration < 1 {
		t.Fatalf("CRM calls %+v", calls)
	}
	if len(calls[0].Records) != 0 || len(e.portal.RESTCalls("telephony.externalcall.attachrecord")) != 0 {
		t.Errorf("a recording was attached: %+v", calls[0].Records)
	}
	files, _ := filepath.Glob(filepath.Join(e.dir, "rec", "*"))
	if len(files) != 0 {
		t.Errorf("recordings written: %v", files)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "rec")); err != nil {
		t.Fatalf("the recordings folder is missing, so the check above proves nothing: %v", err)
	}
}
