package web

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
)

// maxAssignedCallerIDs bounds the numbers one PUT assigns to a portal.
const maxAssignedCallerIDs = 100

// callerIDsJSON are the caller IDs of a portal as the operator API shows
// them.
type callerIDsJSON struct {
	MemberID  string     `json:"member_id"`
	CallerIDs []string   `json:"caller_ids"` // assigned over this API
	Account   []string   `json:"account"`    // its own SIP account's, accepted too
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// handlePortalCallerIDs reads or replaces the caller IDs the operator
// assigns to a portal over the API: GET|PUT
// /api/v1/portals/{member_id}/caller_ids (bearer admin token). PUT takes
// {"caller_ids": ["+4930123456"]}, E.164 numbers; [] assigns none. The
// portal's own lines may show these besides the numbers the configuration
// assigns (portals: [{member_id, caller_ids}]) and its own SIP account's;
// saved lines showing a number no longer assigned stop being used at once.
func (s *Server) handlePortalCallerIDs(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet, http.MethodPut) || !s.authorize(w, r) {
		return
	}
	ctx := r.Context()
	p, err := s.store.Portal(ctx, r.PathValue("member_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.Method == http.MethodPut {
		numbers, err := s.readCallerIDs(w, r)
		if err == nil {
			var old []string
			if c, err := s.store.CallerIDs(ctx, p.MemberID); err == nil {
				old = c.Numbers
			}
			err = s.store.SaveCallerIDs(ctx, &callbackline.CallerIDs{MemberID: p.MemberID, Numbers: numbers, UpdatedAt: s.now().UTC(),
				Audit: audited(s.operatorChange(), listSummary(old, numbers, maskEntry))})
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	out := callerIDsJSON{MemberID: p.MemberID, CallerIDs: []string{}, Account: []string{}}
	c, err := s.store.CallerIDs(ctx, p.MemberID)
	switch {
	case err == nil:
		out.CallerIDs = append(out.CallerIDs, c.Numbers...)
		at := c.UpdatedAt.UTC()
		out.UpdatedAt = &at
	case callbackline.ErrorCode(err) != callbackline.ENOTFOUND:
		s.writeError(w, r, err)
		return
	}
	if t, err := s.store.PortalTrunk(ctx, p.MemberID); err == nil {
		out.Account = append(out.Account, t.CallerIDs...)
	}
	writeJSON(w, http.StatusOK, out)
}

// readCallerIDs reads and checks the numbers of a PUT: each E.164, none
// twice, at most maxAssignedCallerIDs.
func (s *Server) readCallerIDs(w http.ResponseWriter, r *http.Request) ([]string, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		return nil, callbackline.Errorf(callbackline.EINVALID, `the body must be JSON {"caller_ids": ["+4930123456"]} of at most %d bytes`, s.maxBody)
	}
	return parseCallerIDs(body)
}

// parseCallerIDs parses the body of a PUT of caller IDs:
// {"caller_ids": [...]}, each E.164, none twice, at most
// maxAssignedCallerIDs. Errors are EINVALID and name the entry.
func parseCallerIDs(body []byte) ([]string, error) {
	var in struct {
		CallerIDs *[]string `json:"caller_ids"`
	}
	if json.Unmarshal(body, &in) != nil || in.CallerIDs == nil {
		return nil, callbackline.Errorf(callbackline.EINVALID, `the body must be JSON {"caller_ids": ["+4930123456"]}`)
	}
	numbers := *in.CallerIDs
	if len(numbers) > maxAssignedCallerIDs {
		return nil, callbackline.Errorf(callbackline.EINVALID, "caller_ids: %d numbers; at most %d", len(numbers), maxAssignedCallerIDs)
	}
	for i, n := range numbers {
		switch {
		case !sip.ValidE164(n):
			return nil, callbackline.Errorf(callbackline.EINVALID, "caller_ids[%d]: %q is not E.164 (+ and 7–15 digits, e.g. +4930123456)", i, strings.ToValidUTF8(n[:min(len(n), 20)], "?"))
		case slices.Contains(numbers[:i], n):
			return nil, callbackline.Errorf(callbackline.EINVALID, "caller_ids[%d]: %s is listed twice", i, n)
		}
	}
	return numbers, nil
}
