package sip

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config configures the dialer: one SIP user agent listening on one
// address, the trunks it places calls through and the lines (caller IDs)
// it presents to clients. Zero values get the defaults named below; call
// Validate (New does) to get an error that names the field at fault.
type Config struct {
	// Listen is the local SIP address, host:port. Default "0.0.0.0:5060".
	// Port 0 picks a free port (tests).
	Listen string `yaml:"listen"`
	// Transport is udp (default), tcp or tls.
	Transport string `yaml:"transport"`
	// TLS holds the certificate for transport tls.
	TLS TLSConfig `yaml:"tls"`
	// ExternalAddress is the host or IP put in Contact and SDP when the
	// dialer is behind NAT ("203.0.113.5" or "sip.example.com:5060").
	ExternalAddress string `yaml:"external_address"`
	// RTPPorts is the UDP port range for media. Each bridged call uses 4
	// ports. Default 20000–29999.
	RTPPorts PortRange `yaml:"rtp_ports"`
	// Codecs lists the audio codecs offered, in order of preference:
	// "pcmu", "pcma". Default both. telephone-event is always offered.
	Codecs []string `yaml:"codecs"`
	// UserAgent is the User-Agent header and the Contact user. Default
	// "callbackline".
	UserAgent string `yaml:"user_agent"`
	// Trunks are the SIP accounts calls go out through. The first one is
	// the default.
	Trunks []Trunk `yaml:"trunks"`
	// Lines are the caller IDs presented to clients, chosen by Plan.Line.
	Lines []Line `yaml:"lines"`
	// Inbound says what happens to calls that come in.
	Inbound Inbound `yaml:"inbound"`
	// PortalNetworks are the networks (CIDR, or one address) a portal's
	// own SIP account (Account) may be in besides the public internet: a
	// PBX on the operator's network that portals may use, loopback in
	// tests. Default none.
	PortalNetworks []string `yaml:"portal_networks"`
}

// TLSConfig names the certificate files for transport tls.
type TLSConfig struct {
	CertFile string `yaml:"cert_file"` // PEM certificate chain, required for tls
	KeyFile  string `yaml:"key_file"`  // PEM private key, required for tls
	CAFile   string `yaml:"ca_file"`   // PEM roots to verify peers; default: system roots
}

// PortRange is an inclusive range of UDP ports.
type PortRange struct {
	Min int `yaml:"min"`
	Max int `yaml:"max"`
}

// Trunk is a SIP account at a PBX or provider.
type Trunk struct {
	// Name identifies the trunk in Line.Trunk and Plan.Trunk.
	Name string `yaml:"name"`
	// Employee is the address template of employees, with {extension},
	// e.g. "sip:{extension}@pbx.example.com".
	Employee string `yaml:"employee"`
	// ExtensionPattern is the rule every employee extension dialled
	// through this trunk must match, a regular expression matched against
	// the whole extension (see ExtensionRule). Default
	// DefaultExtensionPattern: 2–6 digits, no leading 0.
	ExtensionPattern string `yaml:"extension_pattern"`
	// Client is the address template of clients, with {number} (E.164 with
	// "+") or {digits} (the same without "+"), e.g.
	// "sip:{number}@pbx.example.com".
	Client string `yaml:"client"`
	// Username and Password answer digest challenges (401/407).
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Register keeps a registration alive at Registrar.
	Register bool `yaml:"register"`
	// Registrar is the REGISTER target, e.g. "sip:pbx.example.com".
	// Default: the host of the Employee template.
	Registrar string `yaml:"registrar"`
	// RegisterExpiry is the Expires of the registration. Default 5m.
	RegisterExpiry time.Duration `yaml:"register_expiry"`
	// OutboundProxy is where every request is sent first, host[:port] or a
	// SIP URI ("sip:proxy.example.com:5060").
	OutboundProxy string `yaml:"outbound_proxy"`
	// CallerID is presented to clients when the line has none.
	CallerID CallerID `yaml:"caller_id"`
	// Portals are the member_ids of the Bitrix24 portals whose calls this
	// trunk carries; ["*"] carries every portal's. While no trunk names
	// portals, every trunk carries every portal's calls (one company's
	// deployment); once one does, a trunk without portals carries none.
	Portals []string `yaml:"portals"`

	// portal marks a portal's own account (Account.Trunk): the addresses
	// its requests go to are checked as each is sent (Dialer.reach).
	portal bool
}

// CallerID is the number and name a client sees.
type CallerID struct {
	Number string `yaml:"number"` // E.164 ("+4930123456") or an account name of the trunk
	Name   string `yaml:"name"`   // display name, optional
}

// Line is one of the company's numbers: the caller ID clients see when a
// callback comes from this line.
type Line struct {
	Number   string   `yaml:"number"`    // the line's number, as Plan.Line refers to it
	Trunk    string   `yaml:"trunk"`     // trunk name; default the first trunk
	CallerID CallerID `yaml:"caller_id"` // default: Number as the caller ID
}

// Inbound configures calls that come in to the dialer.
type Inbound struct {
	// Accept answers inbound calls (playing Announcement, then hanging up).
	// Default false: inbound INVITEs are answered 403 Forbidden.
	Accept bool `yaml:"accept"`
	// Announcement is an 8 kHz mono 16-bit WAV played to accepted calls.
	Announcement string `yaml:"announcement"`
}

// Defaults.
const (
	DefaultListen        = "0.0.0.0:5060"
	DefaultRTPMin        = 20000
	DefaultRTPMax        = 29999
	DefaultUserAgent     = "callbackline"
	defaultRegisterEvery = 5 * time.Minute
)

func (c *Config) withDefaults() Config {
	d := *c
	if d.Listen == "" {
		d.Listen = DefaultListen
	}
	d.Transport = strings.ToLower(d.Transport)
	if d.Transport == "" {
		d.Transport = "udp"
	}
	if d.RTPPorts == (PortRange{}) {
		d.RTPPorts = PortRange{DefaultRTPMin, DefaultRTPMax}
	}
	if len(d.Codecs) == 0 {
		d.Codecs = []string{"pcmu", "pcma"}
	}
	if d.UserAgent == "" {
		d.UserAgent = DefaultUserAgent
	}
	d.Trunks = append([]Trunk(nil), c.Trunks...)
	for i := range d.Trunks {
		if d.Trunks[i].RegisterExpiry == 0 {
			d.Trunks[i].RegisterExpiry = defaultRegisterEvery
		}
	}
	return d
}

// Validate checks the configuration. The error is an *Error of
// KindInvalid whose Field names the setting, e.g. "sip.trunks[0].client".
func (c *Config) Validate() error {
	d := c.withDefaults()
	for _, check := range []func(*Config) error{
		(*Config).validateListen,
		(*Config).validateTransport,
		(*Config).validateExternal,
		(*Config).validateMedia,
		(*Config).validateTrunks,
		(*Config).validateLines,
		(*Config).validateInbound,
		(*Config).validatePortalNetworks,
	} {
		if err := check(&d); err != nil {
			return err
		}
	}
	return nil
}

// validateListen checks the listening address.
func (c *Config) validateListen() error {
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil || net.ParseIP(host) == nil {
		return invalid("sip.listen", "%q is not IP:port (e.g. 0.0.0.0:5060)", c.Listen)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return invalid("sip.listen", "port %q is not 0–65535", port)
	}
	return nil
}

// validateTransport checks the transport and, for tls, its files.
func (c *Config) validateTransport() error {
	switch c.Transport {
	case "udp", "tcp":
		return nil
	case "tls":
	default:
		return invalid("sip.transport", "%q is not udp, tcp or tls", c.Transport)
	}
	if c.TLS.CertFile == "" || c.TLS.KeyFile == "" {
		return invalid("sip.tls", "transport tls needs cert_file and key_file")
	}
	for f, p := range map[string]string{"sip.tls.cert_file": c.TLS.CertFile, "sip.tls.key_file": c.TLS.KeyFile, "sip.tls.ca_file": c.TLS.CAFile} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return &Error{Kind: KindInvalid, Field: f, Reason: "cannot read the file", Err: err}
		}
	}
	return nil
}

// validateExternal checks the external address, host[:port].
func (c *Config) validateExternal() error {
	if c.ExternalAddress == "" {
		return nil
	}
	h := c.ExternalAddress
	if hh, p, err := net.SplitHostPort(h); err == nil {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return invalid("sip.external_address", "port %q is not 1–65535", p)
		}
		h = hh
	}
	if !validHost(h) {
		return invalid("sip.external_address", "%q is not a host name or IP address", c.ExternalAddress)
	}
	return nil
}

// validateMedia checks the RTP ports, the codecs and the User-Agent.
func (c *Config) validateMedia() error {
	r := c.RTPPorts
	if r.Min < 1024 || r.Max > 65535 || r.Max-r.Min < 3 {
		return invalid("sip.rtp_ports", "range %d-%d must lie in 1024-65535 and hold at least 4 ports (4 per call)", r.Min, r.Max)
	}
	for i, name := range c.Codecs {
		if _, ok := codecByName(name); !ok {
			return invalid(fmt.Sprintf("sip.codecs[%d]", i), "%q is not pcmu or pcma", name)
		}
	}
	if !validToken(c.UserAgent) {
		return invalid("sip.user_agent", "%q may hold only letters, digits and -._", c.UserAgent)
	}
	return nil
}

// validateTrunks checks that trunk names are unique, and each trunk. No
// trunk at all is valid: the dialer then calls only through the portals'
// own accounts (AddTrunk).
func (c *Config) validateTrunks() error {
	names := map[string]bool{}
	for i, t := range c.Trunks {
		f := fmt.Sprintf("sip.trunks[%d]", i)
		if names[t.Name] {
			return invalid(f+".name", "trunk name %q is used twice", t.Name)
		}
		names[t.Name] = true
		if err := t.validate(f); err != nil {
			return err
		}
	}
	return nil
}

// validate checks one trunk; f is its field name, "sip.trunks[i]".
func (t *Trunk) validate(f string) error {
	if _, err := parseTemplate(t.Employee, "{extension}"); err != nil {
		return invalid(f+".employee", "%v", err)
	}
	if _, err := CompileExtensionRule(t.ExtensionPattern); err != nil {
		return invalid(f+".extension_pattern", "%v", err)
	}
	if _, err := parseTemplate(t.Client, "{number}", "{digits}"); err != nil {
		return invalid(f+".client", "%v", err)
	}
	if t.Password != "" && t.Username == "" {
		return invalid(f+".username", "a password needs a username")
	}
	if t.Register {
		if _, err := t.registrar(); err != nil {
			return invalid(f+".registrar", "%v", err)
		}
		if t.RegisterExpiry < 30*time.Second {
			return invalid(f+".register_expiry", "%s is shorter than 30s", t.RegisterExpiry)
		}
	}
	if t.OutboundProxy != "" {
		if _, err := proxyURI(t.OutboundProxy); err != nil {
			return invalid(f+".outbound_proxy", "%v", err)
		}
	}
	if err := t.CallerID.validate(); err != nil {
		return invalid(f+".caller_id", "%v", err)
	}
	return t.validatePortals(f)
}

// validateLines checks each line: a number, a known trunk, a caller ID.
func (c *Config) validateLines() error {
	for i, l := range c.Lines {
		f := fmt.Sprintf("sip.lines[%d]", i)
		if l.Number == "" {
			return invalid(f+".number", "a line needs a number")
		}
		if l.Trunk != "" && c.trunk(l.Trunk) == nil {
			return invalid(f+".trunk", "no trunk named %q", l.Trunk)
		}
		if err := l.callerID().validate(); err != nil {
			return invalid(f+".caller_id", "%v", err)
		}
	}
	return nil
}

// validateInbound checks the announcement of accepted inbound calls.
func (c *Config) validateInbound() error {
	if c.Inbound.Accept && c.Inbound.Announcement != "" {
		if err := checkAnnouncement(c.Inbound.Announcement); err != nil {
			return &Error{Kind: KindInvalid, Field: "sip.inbound.announcement", Reason: "not a playable WAV", Err: err}
		}
	}
	return nil
}

// validatePortalNetworks checks the networks of portals' own accounts.
func (c *Config) validatePortalNetworks() error {
	_, err := c.Networks()
	return err
}

// Networks returns PortalNetworks parsed. The error is an *Error of
// KindInvalid.
func (c *Config) Networks() ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(c.PortalNetworks))
	for i, n := range c.PortalNetworks {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			a, aerr := netip.ParseAddr(n)
			if aerr != nil {
				return nil, invalid(fmt.Sprintf("sip.portal_networks[%d]", i), "%q is not a network (10.0.0.0/8) or an address", n)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (l Line) callerID() CallerID {
	if l.CallerID.Number == "" {
		return CallerID{Number: l.Number, Name: l.CallerID.Name}
	}
	return l.CallerID
}

func (c CallerID) validate() error {
	if c.Number != "" && !validUser(c.Number) {
		return fmt.Errorf("number %q may hold only +, digits, letters and -._*", c.Number)
	}
	if len(c.Name) > 64 || strings.ContainsAny(c.Name, "\"\\\r\n<>") {
		return fmt.Errorf("name must be at most 64 characters without quotes, backslashes, <> or line breaks")
	}
	return nil
}
