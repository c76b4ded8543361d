package sip

import (
	"fmt"
	"strconv"
	"strings"
)

// EveryPortal in Trunk.Portals grants a trunk to every portal.
const EveryPortal = "*"

// Granted reports whether any trunk names the portals it serves. When
// none does, every trunk serves every portal (a deployment for one
// company, as before trunks named portals); once one does, a trunk
// serves only the portals it names.
func (c *Config) Granted() bool {
	for i := range c.Trunks {
		if len(c.Trunks[i].Portals) > 0 {
			return true
		}
	}
	return false
}

// Serves reports whether trunk t may carry the calls of the portal
// memberID: every trunk serves every portal while no trunk names portals
// (see Granted); otherwise t must name the portal or "*". A call without
// a portal ("") is served only by a trunk granted to every portal.
func (c *Config) Serves(t *Trunk, memberID string) bool {
	if !c.Granted() {
		return true
	}
	for _, p := range t.Portals {
		if p == EveryPortal || p == memberID && memberID != "" {
			return true
		}
	}
	return false
}

// ForPortal is the configuration as the portal memberID sees it: only the
// trunks that serve it, and only the lines whose trunk is one of them. Its
// ExtensionRule is the rule the portal's calls are dialled under.
func (c *Config) ForPortal(memberID string) Config {
	out := *c
	out.Trunks, out.Lines = nil, nil
	for i := range c.Trunks {
		if c.Serves(&c.Trunks[i], memberID) {
			out.Trunks = append(out.Trunks, c.Trunks[i])
		}
	}
	for _, l := range c.Lines {
		// A line without a trunk takes the portal's first trunk.
		if t := c.trunk(l.Trunk); l.Trunk == "" || t != nil && c.Serves(t, memberID) {
			out.Lines = append(out.Lines, l)
		}
	}
	return out
}

// validatePortals checks a trunk's portals; f is its field name.
func (t *Trunk) validatePortals(f string) error {
	seen := map[string]bool{}
	for i, p := range t.Portals {
		switch {
		case p == "" || strings.ContainsAny(p, " \t\r\n"):
			return invalid(fmt.Sprintf("%s.portals[%d]", f, i), "%q is not a member_id (no spaces; \"*\" for every portal)", p)
		case seen[p]:
			return invalid(fmt.Sprintf("%s.portals[%d]", f, i), "%q is listed twice", p)
		}
		seen[p] = true
	}
	return nil
}

// way is how one call goes out: the trunk and the caller ID of the line
// it was chosen for (zero when the line sets none).
type way struct {
	trunk  *Trunk
	caller CallerID
}

// route resolves how a call of portal memberID goes out, in this order:
//
//  1. the explicit choice: the trunk the plan names, else the trunk of the
//     dialer's line (sip.lines) of the plan's line number;
//  2. the portal's own trunk (AddTrunk);
//  3. (Bitrix24's own telephony, once that dialer exists);
//  4. an operator trunk granted to the portal: the first one in the
//     configuration.
//
// An explicit choice not granted to the portal is refused, never replaced:
// a portal's line cannot pick up a trunk (nor, with it, a caller ID) meant
// for another portal. No trunk at all is an *Error of KindNoRoute.
func (d *Dialer) route(memberID, line, trunk string) (way, *Error) {
	c := &d.cfg
	var w way
	if line != "" {
		found := false
		for _, l := range c.Lines {
			if l.Number != line || found {
				continue
			}
			found = true
			// The line is the operator's, with its caller ID: a portal
			// uses it only when the line's own trunk serves the portal,
			// whatever trunk the plan names.
			if t := c.trunk(l.Trunk); l.Trunk != "" && t != nil && !c.Serves(t, memberID) {
				return way{}, notGranted(l.Trunk, memberID)
			}
			if trunk == "" {
				trunk = l.Trunk
			}
			w.caller = l.callerID()
		}
		if !found {
			return way{}, invalid("plan.line", "no line %q in the SIP configuration", line)
		}
	}
	own := d.ownTrunk(memberID)
	switch {
	case trunk != "" && own != nil && trunk == own.t.Name:
		w.trunk = &own.t
	case trunk != "":
		if w.trunk = c.trunk(trunk); w.trunk == nil {
			return way{}, invalid("plan.trunk", "no trunk %q in the SIP configuration", trunk)
		}
		if !c.Serves(w.trunk, memberID) {
			return way{}, notGranted(w.trunk.Name, memberID)
		}
	case own != nil:
		w.trunk = &own.t
	default:
		for i := range c.Trunks {
			if c.Serves(&c.Trunks[i], memberID) {
				w.trunk = &c.Trunks[i]
				return w, nil
			}
		}
		return way{}, (&Error{Kind: KindNoRoute, Reason: "no trunk serves this portal: its administrator enters the portal's own SIP account on the application page, or the operator grants a trunk (portals: [member_id] on a trunk in the sip section)"}).
			coded("sip_no_trunk")
	}
	return w, nil
}

// notGranted is the error of a trunk that does not serve the portal.
func notGranted(trunk, memberID string) *Error {
	who := "this portal"
	if memberID == "" {
		who = "a call without a portal"
	}
	return &Error{Kind: KindNoRoute, Reason: "trunk " + strconv.Quote(trunk) + " is not granted to " + who + " (its portals in the sip section do not name it)"}
}

// Route reports whether the calls of the portal memberID on the line
// number have a way out (see the order in Plan.Portal): nil when they do,
// else an *Error of KindNoRoute (or KindInvalid) that says what is
// missing. Nothing is dialled for a plan that has none.
func (d *Dialer) Route(memberID, line string) error {
	if !d.HasLine(line) {
		line = ""
	}
	if _, err := d.route(memberID, line, ""); err != nil {
		return err
	}
	return nil
}

// Up reports whether the way out of the portal's calls on the line is
// working: nil when it is, the route's error when there is none, and an
// *Error of KindUnreachable when its trunk's registration has failed (a
// registration not yet tried counts as working).
func (d *Dialer) Up(memberID, line string) error {
	if !d.HasLine(line) {
		line = ""
	}
	w, err := d.route(memberID, line, "")
	if err != nil {
		return err
	}
	if own := d.ownTrunk(memberID); own != nil && w.trunk == &own.t {
		return d.TrunkStatus(memberID)
	}
	for _, r := range d.regs {
		if r.trunk != w.trunk.Name || r.ok.Load() {
			continue
		}
		if p := r.err.Load(); p != nil {
			return &Error{Kind: KindUnreachable, Reason: "trunk " + strconv.Quote(r.trunk) + " is not registered", Err: *p}
		}
	}
	return nil
}
