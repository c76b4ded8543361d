package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlite"
)

// FuzzSample sends any query to the sample link (GET /bitrix24/sample).
// The answer is the sample only for a link the server itself signed, for
// an installed portal and a voice it offers, before the link's expiry;
// anything else is 400 or 403 with an error body, nothing is spoken and
// nothing fails with a 5xx.
func FuzzSample(f *testing.F) {
	const member, gone = "fuzz-member", "gone-member"
	voices := []string{"ruinternalfemale", "eurgermanfemale"}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	wav := []byte("RIFF sample of a voice")
	file := filepath.Join(f.TempDir(), "sample.wav")
	if err := os.WriteFile(file, wav, 0o644); err != nil {
		f.Fatal(err)
	}
	var mu sync.Mutex
	var spoken []string
	samples := &Samples{Key: []byte("fuzz-key-0123456789abcdef0123456789"), Voices: voices,
		Speak: func(_ context.Context, id string) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			spoken = append(spoken, id)
			return file, nil
		}}
	srv := sampleServer(f, samples, now, member, gone)

	// What the server signs: every voice for both portals, at now.
	signed := map[string]bool{}
	for _, m := range []string{member, gone} {
		for _, v := range voices {
			u := samples.url(m, v, now)
			f.Add(strings.TrimPrefix(u, "/bitrix24/sample?"))
			q, _ := url.ParseQuery(strings.TrimPrefix(u, "/bitrix24/sample?"))
			if m == member {
				signed[link(q)] = true
			}
		}
	}
	f.Add("")
	f.Add("m=&v=&e=&s=")
	f.Add("m=fuzz-member&v=eurgermanfemale&e=99999999999999999999&s=x")
	f.Add("m=fuzz-member&m=x&v=eurgermanfemale;v=y&e=-1&s=" + strings.Repeat("A", 65))
	f.Add("%zz&m=%00&v=%E2%82")

	f.Fuzz(func(t *testing.T, query string) {
		mu.Lock()
		spoken = spoken[:0]
		mu.Unlock()
		req := httptest.NewRequest(http.MethodGet, "/bitrix24/sample", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)

		q := req.URL.Query()
		valid := signed[link(q)]
		mu.Lock()
		said := append([]string(nil), spoken...)
		mu.Unlock()
		switch {
		case rec.Code == http.StatusOK:
			if !valid {
				t.Fatalf("%q: 200 for a link the server did not sign", query)
			}
			if len(said) != 1 || said[0] != q.Get("v") || !bytes.Equal(rec.Body.Bytes(), wav) || rec.Header().Get("Content-Type") != "audio/wav" {
				t.Fatalf("%q: spoke %q, served %q (%s)", query, said, rec.Body.Bytes(), rec.Header().Get("Content-Type"))
			}
		case valid:
			t.Fatalf("%q: a link the server signed: %d %s", query, rec.Code, rec.Body)
		case rec.Code != http.StatusForbidden && rec.Code != http.StatusBadRequest:
			t.Fatalf("%q: status %d %s", query, rec.Code, rec.Body)
		case !strings.Contains(rec.Body.String(), `"error":`):
			t.Fatalf("%q: %d without an error body: %s", query, rec.Code, rec.Body)
		case len(said) > 0:
			t.Fatalf("%q: refused with %d, yet spoke %q", query, rec.Code, said)
		}
	})
}

// link returns a sample link's fields as one string, the expiry as the
// number it reads as ("" when it is none: no such link is signed).
func link(q url.Values) string {
	e, err := strconv.ParseInt(q.Get("e"), 10, 64)
	if err != nil {
		return ""
	}
	return fmt.Sprint(q.Get("m"), "\x00", q.Get("v"), "\x00", e, "\x00", q.Get("s"))
}

// sampleServer returns a server that plays samples, at a fixed now, whose
// store holds an installed portal and an uninstalled one.
func sampleServer(f *testing.F, samples *Samples, now time.Time, installed, uninstalled string) *Server {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, "sqlite:"+filepath.Join(f.TempDir(), "fuzz.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	for _, p := range []*callbackline.Portal{
		{MemberID: installed, Status: callbackline.PortalInstalled},
		{MemberID: uninstalled, Status: callbackline.PortalUninstalled},
	} {
		p.Domain, p.ClientEndpoint = p.MemberID+".bitrix24.de", "https://"+p.MemberID+".bitrix24.de/rest/"
		p.AccessToken, p.RefreshToken, p.ApplicationToken = "a", "r", "t-"+p.MemberID
		p.ExpiresAt, p.InstalledAt, p.UpdatedAt, p.Language = now.Add(time.Hour), now, now, "de"
		if err := st.SavePortal(ctx, p); err != nil {
			f.Fatal(err)
		}
	}
	srv := NewServer(Options{Store: st, Samples: samples, Now: func() time.Time { return now }})
	f.Cleanup(func() { srv.Close() })
	return srv
}
