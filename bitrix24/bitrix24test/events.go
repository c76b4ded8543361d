package bitrix24test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Event names (upper case, as Bitrix24 sends them).
const (
	EventAppInstall            = "ONAPPINSTALL"
	EventAppUninstall          = "ONAPPUNINSTALL"
	EventExternalCallbackStart = "ONEXTERNALCALLBACKSTART"
	EventExternalCallStart     = "ONEXTERNALCALLSTART"
)

// EventAuth is the auth[...] part of an event (docs/bitrix24.md §1.2). Without an
// AccessToken only domain, endpoints, member_id and application_token are
// written.
type EventAuth struct {
	AccessToken      string
	Expires          int64 // unix time
	ExpiresIn        int64 // seconds
	Scope            string
	Domain           string
	ServerEndpoint   string
	Status           string
	ClientEndpoint   string
	MemberID         string
	UserID           int64
	RefreshToken     string // only ONAPPINSTALL (and ONAPPUPDATE) carry one
	ApplicationToken string
}

// Envelope is one event as Bitrix24 posts it (docs/bitrix24.md §1.2, §11).
type Envelope struct {
	Event     string
	HandlerID int64 // event_handler_id
	Data      Pairs // keys relative to data[…]: "PHONE_NUMBER"
	TS        int64 // unix seconds
	Auth      EventAuth
}

// Pairs returns the form fields in Bitrix24's order: event,
// event_handler_id, data[…], ts, auth[…] (docs/bitrix24.md §11).
func (e Envelope) Pairs() Pairs {
	ps := P("event", e.Event, "event_handler_id", itoa(e.HandlerID))
	ps = append(ps, e.Data.Prefixed("data")...)
	ps.Add("ts", itoa(e.TS))
	a := e.Auth
	var auth Pairs
	switch {
	case a.AccessToken != "":
		auth = P("access_token", a.AccessToken, "expires", itoa(a.Expires), "expires_in", itoa(a.ExpiresIn),
			"scope", a.Scope, "domain", a.Domain, "server_endpoint", a.ServerEndpoint, "status", a.Status,
			"client_endpoint", a.ClientEndpoint, "member_id", a.MemberID, "user_id", itoa(a.UserID))
		if a.RefreshToken != "" {
			auth.Add("refresh_token", a.RefreshToken)
		}
		auth.Add("application_token", a.ApplicationToken)
	case strings.EqualFold(e.Event, EventAppUninstall):
		// The order of docs/bitrix24.md §11.4.
		auth = P("domain", a.Domain, "server_endpoint", a.ServerEndpoint, "client_endpoint", a.ClientEndpoint,
			"member_id", a.MemberID, "application_token", a.ApplicationToken)
	default:
		// The token-less shape of docs/bitrix24.md §11.2.
		auth = P("domain", a.Domain, "client_endpoint", a.ClientEndpoint, "server_endpoint", a.ServerEndpoint,
			"member_id", a.MemberID, "application_token", a.ApplicationToken)
	}
	return append(ps, auth.Prefixed("auth")...)
}

// Encode is the request body: Pairs encoded like PHP's http_build_query.
func (e Envelope) Encode() string { return e.Pairs().Encode() }

// EventOptions shape an event the portal sends.
type EventOptions struct {
	// Tokens puts an access token of UserID into auth, as for a handler
	// bound with auth_type or an event triggered by a logged-in user.
	Tokens bool
	UserID int64 // default: the administrator (Options.AdminID)
	// RefreshToken adds a refresh token to the tokens (as ONAPPINSTALL).
	RefreshToken bool
	// HandlerID is event_handler_id; default: the id of the handler bound
	// for this event and URL, else 1.
	HandlerID int64
	// TS is the event's ts; default: the portal's clock.
	TS time.Time
	// ApplicationToken and MemberID override the portal's, e.g. to forge
	// an event.
	ApplicationToken string
	MemberID         string
}

// Envelope builds the event the portal would post; with opts.Tokens it
// registers a fresh access token for the user.
func (p *Portal) Envelope(event, handlerURL string, data Pairs, opts EventOptions) Envelope {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.envelopeLocked(event, handlerURL, data, opts)
}

func (p *Portal) envelopeLocked(event, handlerURL string, data Pairs, opts EventOptions) Envelope {
	now := p.nowLocked()
	if opts.TS.IsZero() {
		opts.TS = now
	}
	if opts.UserID == 0 {
		opts.UserID = p.opts.AdminID
	}
	if opts.HandlerID == 0 {
		opts.HandlerID = 1
		for _, h := range p.handlers {
			if strings.EqualFold(h.Event, event) && h.Handler == handlerURL {
				opts.HandlerID = h.ID
			}
		}
	}
	e := Envelope{Event: strings.ToUpper(event), HandlerID: opts.HandlerID, Data: data, TS: opts.TS.Unix()}
	e.Auth = EventAuth{
		Domain:           p.domainLocked(),
		ServerEndpoint:   p.oauth.URL + "/rest/",
		ClientEndpoint:   p.currentLocked().URL + "/rest/",
		MemberID:         p.opts.MemberID,
		ApplicationToken: p.opts.ApplicationToken,
	}
	if opts.MemberID != "" {
		e.Auth.MemberID = opts.MemberID
	}
	if opts.ApplicationToken != "" {
		e.Auth.ApplicationToken = opts.ApplicationToken
	}
	if opts.Tokens || opts.RefreshToken {
		g := p.issueLocked(opts.UserID, opts.RefreshToken)
		e.Auth.AccessToken = g.access
		e.Auth.Expires = g.expiresAt.Unix()
		e.Auth.ExpiresIn = int64(p.opts.AccessTTL / time.Second)
		e.Auth.Scope = p.opts.Scope
		e.Auth.Status = p.opts.AppStatus
		e.Auth.UserID = opts.UserID
		e.Auth.RefreshToken = g.refresh
	}
	return e
}

func (p *Portal) domainLocked() string {
	if p.opts.Domain != "" {
		return p.opts.Domain
	}
	return strings.TrimPrefix(p.currentLocked().URL, "http://")
}

// SentEvent is one event the portal posted.
type SentEvent struct {
	Time   time.Time
	URL    string
	Event  string
	Body   string
	Status int    // the handler's HTTP status; 0 when it did not answer
	Err    string // why the delivery failed, if it did
}

// Sent returns the events posted so far, in order.
func (p *Portal) Sent() []SentEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]SentEvent(nil), p.sent...)
}

// SendEvent posts an event to handlerURL exactly as Bitrix24 does
// (docs/bitrix24.md §1.1): POST, application/x-www-form-urlencoded, keys in PHP
// bracket syntax with the brackets percent-encoded, all values strings.
// data keys are relative to data[…]. The response body is read and can be
// read again by the caller; Bitrix24 does not retry a failed delivery and
// neither does SendEvent.
func (p *Portal) SendEvent(ctx context.Context, handlerURL, event string, data Pairs, opts EventOptions) (*http.Response, error) {
	e := p.Envelope(event, handlerURL, data, opts)
	return p.post(ctx, handlerURL, e.Event, e.Encode())
}

// Post sends a prepared event body to handlerURL as Bitrix24's queue
// server would.
func (p *Portal) post(ctx context.Context, target, event, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Bitrix24 Webhook Engine")
	resp, err := p.httpc.Do(req)
	se := SentEvent{Time: time.Now(), URL: target, Event: event, Body: body}
	if err != nil {
		se.Err = err.Error()
		p.mu.Lock()
		p.sent = append(p.sent, se)
		p.mu.Unlock()
		return nil, err
	}
	b, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	se.Status = resp.StatusCode
	if rerr != nil {
		se.Err = rerr.Error()
	}
	p.mu.Lock()
	p.sent = append(p.sent, se)
	p.mu.Unlock()
	return resp, nil
}

// InstallEnvelope builds ONAPPINSTALL (docs/bitrix24.md §2.4, §11.3) with a fresh
// token pair of the administrator, registered with the OAuth server, and
// marks the application installed on the portal.
func (p *Portal) InstallEnvelope() Envelope {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.installed, p.finished = true, true
	data := P("VERSION", "1", "ACTIVE", "Y", "INSTALLED", "Y", "LANGUAGE_ID", p.opts.Language)
	return p.envelopeLocked(EventAppInstall, "", data, EventOptions{RefreshToken: true, HandlerID: 1})
}

// InstallEvent is ONAPPINSTALL's form values (see InstallEnvelope).
func (p *Portal) InstallEvent() url.Values { return p.InstallEnvelope().Pairs().Values() }

// SendInstall posts ONAPPINSTALL to the application's installation
// handler, as for an API-only application (docs/bitrix24.md §2.1): the installation
// is then complete on the portal's side.
func (p *Portal) SendInstall(ctx context.Context, handlerURL string) (*http.Response, error) {
	e := p.InstallEnvelope()
	return p.post(ctx, handlerURL, e.Event, e.Encode())
}

// Frame is the POST that opens the application page in the Bitrix24 frame
// (docs/bitrix24.md §2.2, §11.6).
type Frame struct {
	Domain           string // DOMAIN (query)
	Protocol         string // PROTOCOL (query): "1" https, "0" http
	Lang             string // LANG (query)
	AppSID           string // APP_SID (query)
	AuthID           string // AUTH_ID: access token
	AuthExpires      int64  // AUTH_EXPIRES: seconds
	RefreshID        string // REFRESH_ID
	ServerEndpoint   string
	ApplicationToken string
	Scope            string // APPLICATION_SCOPE
	MemberID         string // member_id
	Status           string // status
	Placement        string // PLACEMENT: DEFAULT for the application page
}

// Query is the frame URL's query, in Bitrix24's order.
func (f Frame) Query() string {
	return P("DOMAIN", f.Domain, "PROTOCOL", f.Protocol, "LANG", f.Lang, "APP_SID", f.AppSID).Encode()
}

// Body is the frame POST body, in Bitrix24's order.
func (f Frame) Body() string {
	return P("AUTH_ID", f.AuthID, "AUTH_EXPIRES", itoa(f.AuthExpires), "REFRESH_ID", f.RefreshID,
		"SERVER_ENDPOINT", f.ServerEndpoint, "APPLICATION_TOKEN", f.ApplicationToken,
		"APPLICATION_SCOPE", f.Scope, "member_id", f.MemberID, "status", f.Status, "PLACEMENT", f.Placement).Encode()
}

// InstallFrame builds the frame POST of the installer page with a fresh
// token pair of the administrator and marks the application installed (but
// not finished: events flow only after FinishInstall, docs/bitrix24.md §2.1).
func (p *Portal) InstallFrame() Frame {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.installed = true
	g := p.issueLocked(p.opts.AdminID, true)
	return Frame{
		Domain: p.domainLocked(), Protocol: "0", Lang: p.opts.Language, AppSID: randomHex(16),
		AuthID: g.access, AuthExpires: int64(p.opts.AccessTTL / time.Second), RefreshID: g.refresh,
		ServerEndpoint: p.oauth.URL + "/rest/", ApplicationToken: p.opts.ApplicationToken,
		Scope: p.opts.Scope, MemberID: p.opts.MemberID, Status: p.opts.AppStatus, Placement: "DEFAULT",
	}
}

// SendInstallFrame posts the installer frame request to pageURL, as the
// browser does when an administrator installs an application with a UI.
func (p *Portal) SendInstallFrame(ctx context.Context, pageURL string) (*http.Response, error) {
	f := p.InstallFrame()
	target := pageURL
	if strings.Contains(target, "?") {
		target += "&" + f.Query()
	} else {
		target += "?" + f.Query()
	}
	return p.post(ctx, target, "FRAME", f.Body())
}

// FinishInstall is the page's installFinish() call (docs/bitrix24.md §2.3).
func (p *Portal) FinishInstall() {
	p.mu.Lock()
	p.installed, p.finished = true, true
	p.mu.Unlock()
}

// Installed reports whether the application is installed (and finished).
func (p *Portal) Installed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.installed && p.finished
}

// CallbackRequest is what a CRM form with callback sends (docs/bitrix24.md §6.1).
type CallbackRequest struct {
	PhoneNumber   string // raw visitor input
	Text          string
	Voice         string // default: the portal language's voice
	CRMEntityType string // LEAD, CONTACT, COMPANY
	CRMEntityID   string // may be "" or "0"
	LineNumber    string // "" for the application's generic line
}

// Data is the event's data in Bitrix24's order.
func (c CallbackRequest) Data() Pairs {
	return P("PHONE_NUMBER", c.PhoneNumber, "TEXT", c.Text, "VOICE", c.Voice,
		"CRM_ENTITY_TYPE", c.CRMEntityType, "CRM_ENTITY_ID", c.CRMEntityID, "LINE_NUMBER", c.LineNumber)
}

// SendCallbackStart posts ONEXTERNALCALLBACKSTART to handlerURL.
func (p *Portal) SendCallbackStart(ctx context.Context, handlerURL string, c CallbackRequest, opts EventOptions) (*http.Response, error) {
	if c.Voice == "" {
		c.Voice = DefaultVoice(p.opts.Language)
	}
	return p.SendEvent(ctx, handlerURL, EventExternalCallbackStart, c.Data(), opts)
}

// SendUninstall posts ONAPPUNINSTALL (no tokens, docs/bitrix24.md §11.4) to
// handlerURL. It does not change the portal; Uninstall does.
func (p *Portal) SendUninstall(ctx context.Context, handlerURL string, clean bool) (*http.Response, error) {
	c := "0"
	if clean {
		c = "1"
	}
	return p.SendEvent(ctx, handlerURL, EventAppUninstall, P("LANGUAGE_ID", p.opts.Language, "CLEAN", c), EventOptions{})
}

// ErrNotDelivered says that the portal had nobody to send an event to.
var ErrNotDelivered = errors.New("bitrix24test: event not delivered")

// fire posts the event to every online handler bound for it. Tokens are
// those of the handler's auth_type user, else of triggerUser (0: an
// anonymous visitor, no tokens) (docs/bitrix24.md §1.2). It returns the first error.
func (p *Portal) fire(ctx context.Context, event string, data Pairs, triggerUser int64) (int, error) {
	p.mu.Lock()
	if !p.installed || !p.finished {
		p.mu.Unlock()
		return 0, fmt.Errorf("%w: the application is not installed", ErrNotDelivered)
	}
	outs := p.outgoingLocked(event, data, triggerUser)
	p.mu.Unlock()
	return p.deliver(ctx, event, outs)
}

// outgoing is one event post to one handler.
type outgoing struct {
	url string
	e   Envelope
}

// outgoingLocked builds the posts of an event to its online handlers and
// queues it for offline handlers.
func (p *Portal) outgoingLocked(event string, data Pairs, triggerUser int64) []outgoing {
	var outs []outgoing
	for _, h := range p.handlers {
		if !strings.EqualFold(h.Event, event) || h.Offline {
			continue
		}
		user := triggerUser
		if h.AuthType > 0 {
			user = h.AuthType
		}
		opts := EventOptions{HandlerID: h.ID, Tokens: user > 0, UserID: user}
		outs = append(outs, outgoing{h.Handler, p.envelopeLocked(event, h.Handler, data, opts)})
	}
	for _, h := range p.handlers {
		if strings.EqualFold(h.Event, event) && h.Offline {
			p.queueOfflineLocked(event, data)
			break
		}
	}
	return outs
}

// deliver posts the events and returns how many and the first error.
func (p *Portal) deliver(ctx context.Context, event string, outs []outgoing) (int, error) {
	if len(outs) == 0 {
		return 0, fmt.Errorf("%w: no handler is bound for %s", ErrNotDelivered, event)
	}
	var first error
	for _, o := range outs {
		resp, err := p.post(ctx, o.url, o.e.Event, o.e.Encode())
		if err == nil && resp.StatusCode/100 != 2 {
			err = fmt.Errorf("bitrix24test: handler %s answered %s", o.url, resp.Status)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return len(outs), first
}

// SubmitCallbackForm is a website visitor submitting a CRM form whose
// callback line is this application (docs/bitrix24.md §6.1): the portal posts
// ONEXTERNALCALLBACKSTART to the bound handlers, without tokens unless the
// handler was bound with auth_type. As in the newer core, the event goes
// out only when the application also handles ONEXTERNALCALLSTART
// (docs/bitrix24.md §9 item 9), and only for its own lines or its generic line ("").
func (p *Portal) SubmitCallbackForm(ctx context.Context, c CallbackRequest) error {
	if c.Voice == "" {
		c.Voice = DefaultVoice(p.opts.Language)
	}
	p.mu.Lock()
	callStart := false
	for _, h := range p.handlers {
		if strings.EqualFold(h.Event, EventExternalCallStart) && !h.Offline {
			callStart = true
		}
	}
	lineOK := c.LineNumber == "" || p.lineLocked(c.LineNumber) != nil
	p.mu.Unlock()
	if !callStart {
		return fmt.Errorf("%w: Could not find line (the application does not handle ONEXTERNALCALLSTART)", ErrNotDelivered)
	}
	if !lineOK {
		return fmt.Errorf("%w: Could not find line %s", ErrNotDelivered, c.LineNumber)
	}
	_, err := p.fire(ctx, EventExternalCallbackStart, c.Data(), 0)
	return err
}

// ClickToCall is an employee clicking a phone number in the CRM while
// this application is the default outgoing line (docs/bitrix24.md §6.2).
type ClickToCall struct {
	UserID        int64
	PhoneNumber   string
	LineNumber    string
	CRMEntityType string
	CRMEntityID   int64
	IsMobile      bool
}

// ClickToCall registers the outgoing call (TYPE 1) the way Bitrix24 does
// and posts ONEXTERNALCALLSTART with its CALL_ID to the bound handlers.
func (p *Portal) ClickToCall(ctx context.Context, c ClickToCall) (string, error) {
	p.mu.Lock()
	u := p.users[c.UserID]
	if u == nil || !u.Active {
		p.mu.Unlock()
		return "", errors.New("bitrix24test: User is not found or is not active")
	}
	call := p.newCallLocked(c.UserID, stripPhone(c.PhoneNumber), 1, c.LineNumber, "")
	call.CRMEntityType, call.CRMEntityID = c.CRMEntityType, c.CRMEntityID
	if c.CRMEntityType == "" {
		if e := p.searchLocked(call.PhoneNumber); len(e) > 0 {
			call.CRMEntityType, call.CRMEntityID = e[0].Type, e[0].ID
		}
	}
	mobile := "0"
	if c.IsMobile {
		mobile = "1"
	}
	data := P("PHONE_NUMBER", c.PhoneNumber, "PHONE_NUMBER_INTERNATIONAL", international(c.PhoneNumber),
		"EXTENSION", "", "USER_ID", itoa(c.UserID), "CALL_LIST_ID", "0", "LINE_NUMBER", c.LineNumber,
		"IS_MOBILE", mobile, "CALL_ID", call.CallID, "CRM_ENTITY_TYPE", call.CRMEntityType,
		"CRM_ENTITY_ID", itoa(call.CRMEntityID))
	p.mu.Unlock()
	_, err := p.fire(ctx, EventExternalCallStart, data, c.UserID)
	return call.CallID, err
}

// Uninstall removes the application from the portal (docs/bitrix24.md §2.4): it
// posts ONAPPUNINSTALL to the bound handlers, then deletes the handlers and
// the application's lines, and revokes every token.
func (p *Portal) Uninstall(ctx context.Context, clean bool) error {
	c := "0"
	if clean {
		c = "1"
	}
	// The application's access is revoked before the event reaches it
	// (docs/bitrix24.md §2.4): a handler that asks the portal finds it uninstalled.
	p.mu.Lock()
	var outs []outgoing
	if p.installed && p.finished {
		outs = p.outgoingLocked(EventAppUninstall, P("LANGUAGE_ID", p.opts.Language, "CLEAN", c), 0)
	}
	p.installed, p.finished = false, false
	p.handlers = nil
	p.lines = nil
	for _, g := range p.access {
		g.revoked = true
	}
	for _, g := range p.refresh {
		g.revoked = true
	}
	p.mu.Unlock()
	_, err := p.deliver(ctx, EventAppUninstall, outs)
	if errors.Is(err, ErrNotDelivered) {
		return nil
	}
	return err
}

// DefaultVoice is the TTS voice Bitrix24 puts into VOICE for a language
// (docs/bitrix24.md §7.2).
func DefaultVoice(lang string) string {
	switch lang {
	case "ru", "ua":
		return "ruinternalfemale"
	case "de":
		return "eurgermanfemale"
	case "la":
		return "eurspanishfemale"
	case "br":
		return "brportuguesefemale"
	case "fr":
		return "eurfrenchfemale"
	case "sc", "tc":
		return "chchinesefemale"
	case "pl":
		return "eurpolishfemale"
	case "it":
		return "euritalianfemale"
	case "tr":
		return "eurturkishfemale"
	case "ja":
		return "jpjapanesefemale"
	}
	return "usenglishmale"
}
