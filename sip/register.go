package sip

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	sipgosip "github.com/emiago/sipgo/sip"
)

// The registration is kept here rather than by diago.Register: diago
// (v0.42) refreshes at 3/4 of the Expires header of the 200 OK, or of the
// lifetime it asked for, and ignores the expires parameter of the Contact,
// which is where registrars such as Kamailio put the lifetime they grant.
// A registrar that grants less than asked (max_expires) then drops the
// binding long before diago refreshes it. Here the refresh follows the
// lifetime granted to our own Contact (RFC 3261 10.2.4).

// regClient is the SIP client and Contact the registrations use: built
// like diago's own client for the transport, so that REGISTERs leave from
// the same address as the calls.
func (d *Dialer) regClient() (*sipgo.Client, sipgosip.ContactHeader, error) {
	host, portStr, _ := net.SplitHostPort(d.addr)
	port, _ := strconv.Atoi(portStr)
	opts := []sipgo.ClientOption{sipgo.WithClientNAT()}
	ip := net.ParseIP(host)
	cHost, cPort := host, port
	if ip != nil && ip.IsUnspecified() {
		if rip, _, err := sipgosip.ResolveInterfacesIP("ip4", nil); err == nil && rip != nil {
			cHost = rip.String()
		}
	} else if d.cfg.Transport == "udp" {
		opts = append(opts, sipgo.WithClientConnectionAddr(d.addr))
	}
	if e := d.cfg.ExternalAddress; e != "" {
		cHost = e
		if h, p, err := net.SplitHostPort(e); err == nil {
			cHost = h
			cPort, _ = strconv.Atoi(p)
		}
		opts = append(opts, sipgo.WithClientHostname(cHost), sipgo.WithClientPort(cPort))
	}
	scheme := "sip"
	if d.cfg.Transport == "tls" {
		scheme = "sips"
	}
	contact := sipgosip.ContactHeader{Address: sipgosip.Uri{Scheme: scheme, User: d.cfg.UserAgent, Host: cHost, Port: cPort,
		UriParams: sipgosip.NewParams(), Headers: sipgosip.NewParams()}}
	if d.cfg.ExternalAddress == "" {
		contact.Address.UriParams.Add("transport", d.cfg.Transport)
	}
	cli, err := sipgo.NewClient(d.ua, opts...)
	return cli, contact, err
}

// keepRegistered registers trunk t and refreshes the registration until
// ctx is done (the dialer closes or forgets the trunk: then it
// unregisters and returns nil) or a REGISTER fails (it returns the error;
// the binding may lapse).
func (d *Dialer) keepRegistered(ctx context.Context, t *Trunk, r *registration) error {
	cli, contact, err := d.regClient()
	if err != nil {
		return err
	}
	uri, _ := t.registrar()
	if t.Username != "" {
		uri.User = t.Username
	}
	req := sipgosip.NewRequest(sipgosip.REGISTER, uri)
	req.AppendHeader(&contact)
	exp := sipgosip.ExpiresHeader(t.RegisterExpiry.Seconds())
	req.AppendHeader(&exp)
	if t.OutboundProxy != "" {
		p, _ := proxyURI(t.OutboundProxy)
		req.SetDestination(net.JoinHostPort(p.Host, strconv.Itoa(portOr(p.Port, 5060))))
	}
	if err := d.pin(ctx, req, t); err != nil {
		return err
	}
	granted, err := d.sendRegister(ctx, cli, req, t)
	if err != nil {
		return err
	}
	r.ok.Store(true)
	d.log.Info("sip registered", "trunk", t.Name, "expires", granted)
	for {
		select {
		case <-ctx.Done():
			d.unregister(cli, req, t)
			return nil
		case <-time.After(refreshAfter(granted)):
		}
		if err = d.pin(ctx, req, t); err == nil {
			granted, err = d.sendRegister(ctx, cli, req, t)
		}
		if err != nil {
			if ctx.Err() != nil { // closed during the refresh
				d.unregister(cli, req, t)
				return nil
			}
			return err
		}
	}
}

// pin sends req of a portal's own trunk t to the address reach checks
// now; other trunks' requests are left as they are.
func (d *Dialer) pin(ctx context.Context, req *sipgosip.Request, t *Trunk) error {
	if !t.portal {
		return nil
	}
	r, err := d.reach(ctx, t)
	if err != nil {
		return err
	}
	req.SetDestination(destination(r, req.Transport()))
	return nil
}

// unregister removes the registration of req's Contact ("*": all of the
// AOR's, which are ours), for at most 5 s.
func (d *Dialer) unregister(cli *sipgo.Client, req *sipgosip.Request, t *Trunk) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req.ReplaceHeader(sipgosip.NewHeader("Contact", "*"))
	exp := sipgosip.ExpiresHeader(0)
	req.ReplaceHeader(&exp)
	if _, err := d.sendRegister(ctx, cli, req, t); err != nil {
		d.log.Warn("sip unregister failed", "trunk", t.Name, "error", err)
	}
}

// refreshAfter is when to refresh a registration granted for g: before
// it runs out by half of it, or by 32 s (Timer F, the time a REGISTER
// may take with all its retransmissions) for longer grants. Registrars
// count in whole seconds, so a grant of 2 s may last barely more than 1.
func refreshAfter(g time.Duration) time.Duration {
	return max(g-min(g/2, 32*time.Second), 500*time.Millisecond)
}

// sendRegister sends req, answers a digest challenge once, and returns
// the lifetime the registrar granted to req's Contact.
func (d *Dialer) sendRegister(ctx context.Context, cli *sipgo.Client, req *sipgosip.Request, t *Trunk) (time.Duration, error) {
	req.RemoveHeader("Via")
	res, err := cli.Do(ctx, req, sipgo.ClientRequestRegisterBuild)
	if err != nil {
		return 0, err
	}
	if c := req.Contact(); c != nil && d.cfg.ExternalAddress == "" {
		// Behind NAT without external_address: register the address the
		// registrar saw (rport, received), as diago does (RFC 3581).
		if via := res.Via(); via != nil {
			if rp, _ := via.Params.Get("rport"); rp != "" {
				if p, err := strconv.Atoi(rp); err == nil {
					c.Address.Port = p
				}
				if rcv, _ := via.Params.Get("received"); rcv != "" {
					c.Address.Host = rcv
				}
			}
		}
	}
	if (res.StatusCode == sipgosip.StatusUnauthorized || res.StatusCode == sipgosip.StatusProxyAuthRequired) && t.Password != "" {
		if res, err = cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: t.Username, Password: t.Password}); err != nil {
			return 0, err
		}
	}
	if res.StatusCode != sipgosip.StatusOK {
		return 0, &diago.RegisterResponseError{RegisterReq: req, RegisterRes: res, Msg: res.StartLine()}
	}
	asked := t.RegisterExpiry
	if h := req.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil {
			asked = time.Duration(n) * time.Second
		}
	}
	var mine sipgosip.Uri
	if c := req.Contact(); c != nil {
		mine = c.Address
	}
	return grantedExpiry(res, mine, asked), nil
}

// grantedExpiry is the lifetime a 200 OK to REGISTER grants to contact:
// the expires parameter of that Contact, else the Expires header, else
// what was asked for.
func grantedExpiry(res *sipgosip.Response, contact sipgosip.Uri, asked time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		for _, v := range splitContacts(h.Value()) {
			var u sipgosip.Uri
			params := sipgosip.NewParams()
			if _, err := sipgosip.ParseAddressValue(v, &u, &params); err != nil {
				continue
			}
			if !strings.EqualFold(u.Host, contact.Host) || portOr(u.Port, 5060) != portOr(contact.Port, 5060) || u.User != contact.User {
				continue
			}
			if e, ok := params.Get("expires"); ok {
				if n, err := strconv.Atoi(e); err == nil && n > 0 {
					return time.Duration(n) * time.Second
				}
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}

// splitContacts splits a Contact header value at the commas between
// contacts (not those inside <> or quotes).
func splitContacts(v string) []string {
	var out []string
	inQ, inB, start := false, false, 0
	for i, c := range v {
		switch {
		case c == '"':
			inQ = !inQ
		case c == '<' && !inQ:
			inB = true
		case c == '>' && !inQ:
			inB = false
		case c == ',' && !inQ && !inB:
			out = append(out, strings.TrimSpace(v[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(v[start:]))
}
