package web_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/store/storetest"
)

// spyStore is a real store that counts portal reads per member id and can
// hold one read after it read the row, before it returns it.
type spyStore struct {
	storetest.Backend
	mu    sync.Mutex
	reads map[string]int
	hold  func(memberID string) // runs once, for the next read, then cleared
}

func newSpyStore(st storetest.Backend) *spyStore {
	return &spyStore{Backend: st, reads: map[string]int{}}
}

func (s *spyStore) Portal(ctx context.Context, memberID string) (*callbackline.Portal, error) {
	p, err := s.Backend.Portal(ctx, memberID)
	s.mu.Lock()
	s.reads[memberID]++
	hold := s.hold
	s.hold = nil
	s.mu.Unlock()
	if hold != nil {
		hold(memberID)
	}
	return p, err
}

func (s *spyStore) readsOf(memberID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[memberID]
}

func (s *spyStore) reset() {
	s.mu.Lock()
	s.reads = map[string]int{}
	s.mu.Unlock()
}

// TestMemberExistenceHidden: a forged event for an installed portal and one
// for an unknown member id get the same answer and cost the same work (the
// same number of store reads), so neither the answer nor its timing tells
// an attacker which member ids are installed.
func TestMemberExistenceHidden(t *testing.T) {
	st := newSpyStore(openSQLite(t))
	h := newHarness(t, st, intake.Rules{})
	h.install()
	st.reset()

	const unknown = "0123456789abcdef0123456789abcdef"
	const forged = "00000000000000000000000000000000"
	req := bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567"}
	var bodies []string
	for range 3 {
		for _, opts := range []bitrix24test.EventOptions{
			{ApplicationToken: forged},
			{MemberID: unknown, ApplicationToken: forged},
		} {
			code, body := h.sendCallback(req, opts)
			if code != http.StatusUnauthorized {
				t.Fatalf("forged event (%+v): %d %s", opts, code, body)
			}
			bodies = append(bodies, body)
		}
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Errorf("answers differ: %q and %q", bodies[0], b)
		}
	}
	if known, other := st.readsOf(exampleMember), st.readsOf(unknown); known != other {
		t.Errorf("store reads: %d for the installed member, %d for an unknown one; the difference shows in the answer time", known, other)
	}
	if len(h.callbacks()) != 0 || h.jobs() != 0 {
		t.Errorf("forged events stored something")
	}
}
