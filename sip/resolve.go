package sip

import (
	"errors"

	sipgosip "github.com/emiago/sipgo/sip"
)

// resolve validates the plan and resolves trunk, caller ID and addresses.
func (s *session) resolve() *Error {
	p := &s.p
	if len(p.Employees) == 0 {
		return invalid("plan.employees", "no employee to ring")
	}
	if !ValidE164(p.Client) {
		return invalid("plan.client", "the client number must be E.164 (+ and 7–15 digits); normalise it first")
	}
	w, err := s.d.route(p.Portal, p.Line, p.Trunk)
	if err != nil {
		return err
	}
	s.trunk, s.caller = w.trunk, p.CallerID
	if s.caller.Number == "" {
		s.caller = w.caller
	}
	rule, rerr := CompileExtensionRule(s.trunk.ExtensionPattern)
	if rerr != nil {
		return invalid("trunk.extension_pattern", "%v", rerr)
	}
	for _, e := range p.Employees {
		if err := rule.Check("plan.employees", e); err != nil {
			return err
		}
	}
	if s.caller.Number == "" {
		s.caller = s.trunk.CallerID
	}
	s.caller = s.d.callerFor(s.trunk, p.Portal, s.caller)
	if err := s.caller.validate(); err != nil {
		return invalid("plan.caller_id", "%v", err)
	}
	if p.Announcement != "" {
		if err := checkAnnouncement(p.Announcement); err != nil {
			var e *Error
			errors.As(err, &e)
			return e
		}
	}
	if s.trunk.OutboundProxy != "" {
		u, err := proxyURI(s.trunk.OutboundProxy)
		if err != nil {
			return invalid("trunk.outbound_proxy", "%v", err)
		}
		s.route = &u
	}
	if s.trunk.portal { // sent to the address checked now, not to another resolution
		r, err := s.d.reach(s.ctx, s.trunk)
		if err != nil {
			return err
		}
		s.route = &r
	}
	return nil
}

// trunk returns the trunk with the name (the last of that name), the first
// trunk for "", nil if there is none.
func (c *Config) trunk(name string) *Trunk {
	if name == "" && len(c.Trunks) > 0 {
		return &c.Trunks[0]
	}
	var t *Trunk
	for i := range c.Trunks {
		if c.Trunks[i].Name == name {
			t = &c.Trunks[i]
		}
	}
	return t
}

// fromHeader builds the From of a leg: the caller ID for the client, the
// trunk's account for employees.
func (s *session) fromHeader(party Party, host string) *sipgosip.FromHeader {
	user, name := s.trunk.Username, "Callback"
	if party == PartyClient && s.caller.Number != "" {
		user, name = s.caller.Number, s.caller.Name
	}
	if user == "" {
		user = s.d.cfg.UserAgent
	}
	return &sipgosip.FromHeader{DisplayName: name, Address: sipgosip.Uri{Scheme: "sip", User: user, Host: host}, Params: sipgosip.NewParams()}
}
