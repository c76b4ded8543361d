package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/web"
)

// FuzzIntake posts arbitrary bodies to the event handler of a server whose
// store holds the portal of the wire examples. Whatever comes in, the
// answer is one of the documented statuses, never a 5xx, and an answer
// other than 200 leaves nothing behind.
func FuzzIntake(f *testing.F) {
	for _, name := range []string{"callbackstart-tokens", "callbackstart-anonymous", "callstart", "appuninstall"} {
		ct, body := wireExample(f, name)
		f.Add(ct, body)
	}
	f.Add("application/json", []byte(`{"event":"ONEXTERNALCALLBACKSTART","data":{"PHONE_NUMBER":"+49 30 1234567"},"auth":{"member_id":"`+exampleMember+`","application_token":"`+exampleToken+`"}}`))
	f.Add("application/x-www-form-urlencoded", []byte("event=ONEXTERNALCALLBACKSTART&data[X][0][Y]=1&auth[member_id]="+exampleMember+"&auth[application_token]="+exampleToken))
	f.Add("text/plain", []byte("event=x"))

	st, err := sqlite.Open(context.Background(), "sqlite:"+filepath.Join(f.TempDir(), "fuzz.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	ctx := context.Background()
	now := time.Now().UTC()
	portal := &callbackline.Portal{
		MemberID: exampleMember, Domain: "example.bitrix24.de", ClientEndpoint: "https://example.bitrix24.de/rest/",
		AccessToken: "a", RefreshToken: "r", ExpiresAt: now.Add(time.Hour), ApplicationToken: exampleToken,
		Status: callbackline.PortalInstalled, Language: "de", InstalledAt: now, UpdatedAt: now,
	}
	srv := web.NewServer(web.Options{Store: st, Intake: intake.New(intake.Options{
		Store: st, Rules: intake.Rules{Policy: phone.DefaultPolicy(), DedupWindow: time.Minute}})})
	f.Cleanup(func() { srv.Close() })

	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		// An uninstall among the inputs removes the portal: put it back.
		if p, err := st.Portal(ctx, exampleMember); err != nil || p.Status != callbackline.PortalInstalled {
			if err := st.SavePortal(ctx, portal); err != nil {
				t.Fatal(err)
			}
		}
		before, err := st.CountJobs(ctx, callbackline.CallbackJob{}.Kind())
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/bitrix24/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
			if !strings.Contains(rec.Body.String(), `"error":`) {
				t.Errorf("%d without an error body: %s", rec.Code, rec.Body)
			}
			after, _ := st.CountJobs(ctx, callbackline.CallbackJob{}.Kind())
			if after != before {
				t.Errorf("a %d answer queued %d jobs", rec.Code, after-before)
			}
		default:
			t.Errorf("status %d: %s", rec.Code, rec.Body)
		}
	})
}

// TestFuzzCorpusKept checks that the intake fuzz corpus is in the repository.
func TestFuzzCorpusKept(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "fuzz", "FuzzIntake"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("testdata/fuzz/FuzzIntake is missing or empty: %v", err)
	}
}
