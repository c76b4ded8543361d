package bitrix24

import (
	"bytes"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/callbackline/callbackline"
)

// InstallKind tells how an installation reached callbackline.
type InstallKind string

// Kinds of installation requests.
const (
	// InstallEvent: the ONAPPINSTALL (or ONAPPUPDATE) event that Bitrix24
	// posts to the installation handler of an application (docs/bitrix24.md §11.3).
	InstallEvent InstallKind = "event"
	// InstallFrame: the installer or application page opened in the
	// Bitrix24 frame (docs/bitrix24.md §2.2, §11.6); answer it with a page that
	// calls installFinish.
	InstallFrame InstallKind = "frame"
)

// Install is an installation request as Bitrix24 sent it.
//
// Nothing in it is trusted yet: anybody can post these fields. Before
// storing anything, the caller exchanges RefreshToken at the configured
// OAuth server with the application's client id and secret and checks that
// the answer names the same MemberID; the portal's REST endpoint and
// domain come from that answer, never from ClientEndpoint or Domain here.
type Install struct {
	Kind  InstallKind
	Event string // ONAPPINSTALL or ONAPPUPDATE for InstallEvent; "" for InstallFrame

	MemberID     string // auth[member_id] / member_id: the portal's stable id (always set)
	AccessToken  string // auth[access_token] / AUTH_ID
	RefreshToken string // auth[refresh_token] / REFRESH_ID (always set)
	// ApplicationToken is auth[application_token] / APPLICATION_TOKEN: the
	// secret that later events carry. Empty when not sent (older portals
	// leave it out of the frame POST). Never APP_SID, which is a per-page
	// session id (docs/bitrix24.md §1.4).
	ApplicationToken string

	Domain         string    // auth[domain] / DOMAIN in the query: the portal's host
	ClientEndpoint string    // auth[client_endpoint]; the frame has none
	ServerEndpoint string    // auth[server_endpoint] / SERVER_ENDPOINT
	Language       string    // data[LANGUAGE_ID] / LANG in the query: de, ru, en, …
	Status         string    // auth[status] / status: L, F, D, T, P or S
	Scope          string    // auth[scope] / APPLICATION_SCOPE; see Scopes
	UserID         int64     // auth[user_id]: the installing user; 0 in the frame (not sent)
	ExpiresIn      int       // auth[expires_in] / AUTH_EXPIRES: the access token's lifetime, seconds
	ExpiresAt      time.Time // when AccessToken expires (UTC): auth[expires], else the time of parsing + ExpiresIn; zero if neither
	Version        string    // data[VERSION]: the application's version (events only)

	Placement        string // PLACEMENT: DEFAULT for the application page (frame only)
	PlacementOptions string // PLACEMENT_OPTIONS: raw JSON (frame only; often absent)
}

// Scopes splits Scope at commas and spaces.
func (in *Install) Scopes() []string { return scopeList(in.Scope) }

// ParseInstall reads an installation request: the ONAPPINSTALL or
// ONAPPUPDATE event (form-encoded or JSON, see ParseEvent) or the
// installer page's POST in the Bitrix24 frame, whose AUTH_ID, REFRESH_ID,
// member_id, … come in the body (looked up in the query when missing
// there) and DOMAIN and LANG in the query. An empty body needs no content
// type.
//
// Errors: EUNSUPPORTED for a media type other than form or JSON; EINVALID
// for a body that does not decode, another event, a request that is
// neither kind, or one without member id or refresh token (the message
// names the field); ETOOLARGE over the decoder's limits.
func ParseInstall(query url.Values, contentType string, body []byte) (*Install, error) {
	return parseInstall(time.Now(), query, contentType, body)
}

func parseInstall(now time.Time, query url.Values, contentType string, body []byte) (*Install, error) {
	f := emptyForm
	if len(bytes.TrimSpace(body)) > 0 {
		var err error
		if f, err = decodeEventBody(contentType, body); err != nil {
			return nil, err
		}
	}
	if f.Child("event") != nil {
		ev, err := EventFromForm(f)
		if err != nil {
			return nil, err
		}
		return installFromEvent(now, ev)
	}
	for _, k := range [...]string{"member_id", "AUTH_ID", "REFRESH_ID"} {
		if f.Child(k) != nil || query.Has(k) {
			return installFromFrame(now, query, f)
		}
	}
	return nil, callbackline.Errorf(callbackline.EINVALID,
		"the request is not a Bitrix24 installation: it is neither an ONAPPINSTALL event (field event) nor the installer page in the Bitrix24 frame (fields AUTH_ID, REFRESH_ID, member_id)")
}

func installFromEvent(now time.Time, ev *Event) (*Install, error) {
	if ev.Name != EventAppInstall && ev.Name != EventAppUpdate {
		return nil, callbackline.Errorf(callbackline.EINVALID,
			"the event %s is not an installation; the installation handler takes ONAPPINSTALL and ONAPPUPDATE", wireClip(ev.Name))
	}
	a := ev.Auth
	in := &Install{
		Kind: InstallEvent, Event: ev.Name,
		MemberID: a.MemberID, AccessToken: a.AccessToken, RefreshToken: a.RefreshToken,
		ApplicationToken: a.ApplicationToken, Domain: a.Domain, ClientEndpoint: a.ClientEndpoint,
		ServerEndpoint: a.ServerEndpoint, Language: ev.Data.Get("LANGUAGE_ID"), Status: a.Status,
		Scope: a.Scope, UserID: a.UserID, ExpiresIn: a.ExpiresIn, ExpiresAt: a.Expires,
		Version: ev.Data.Get("VERSION"),
	}
	if in.ExpiresAt.IsZero() && in.ExpiresIn > 0 {
		base := ev.TS
		if base.IsZero() {
			base = now
		}
		in.ExpiresAt = base.Add(time.Duration(in.ExpiresIn) * time.Second).UTC()
	}
	switch {
	case in.MemberID == "":
		return nil, callbackline.Errorf(callbackline.EINVALID, "the installation event has no auth[member_id]")
	case in.RefreshToken == "":
		return nil, callbackline.Errorf(callbackline.EINVALID,
			"the installation event has no auth[refresh_token]; the installation cannot be verified without it")
	}
	return in, nil
}

func installFromFrame(now time.Time, query url.Values, f *Form) (*Install, error) {
	var err error
	field := func(key string) string {
		if err != nil {
			return ""
		}
		var v string
		if v, err = topLeaf(f, key); err == nil && v == "" {
			v = query.Get(key)
		}
		return v
	}
	in := &Install{
		Kind:             InstallFrame,
		MemberID:         field("member_id"),
		AccessToken:      field("AUTH_ID"),
		RefreshToken:     field("REFRESH_ID"),
		ApplicationToken: field("APPLICATION_TOKEN"), // never APP_SID
		Domain:           field("DOMAIN"),
		ServerEndpoint:   field("SERVER_ENDPOINT"),
		Language:         field("LANG"),
		Status:           field("status"),
		Scope:            field("APPLICATION_SCOPE"),
		Placement:        field("PLACEMENT"),
		PlacementOptions: field("PLACEMENT_OPTIONS"),
	}
	expires := field("AUTH_EXPIRES")
	if err != nil {
		return nil, err
	}
	if expires != "" {
		v, perr := strconv.ParseInt(expires, 10, 64)
		if perr != nil || v < 0 || v > math.MaxInt32 {
			return nil, callbackline.Errorf(callbackline.EINVALID, "AUTH_EXPIRES is %q, not a number of seconds", wireClip(expires))
		}
		in.ExpiresIn = int(v)
		if v > 0 {
			in.ExpiresAt = now.Add(time.Duration(v) * time.Second).UTC()
		}
	}
	switch {
	case in.MemberID == "":
		return nil, callbackline.Errorf(callbackline.EINVALID, "the installation request from the Bitrix24 frame has no member_id")
	case in.RefreshToken == "":
		return nil, callbackline.Errorf(callbackline.EINVALID,
			"the installation request from the Bitrix24 frame has no REFRESH_ID; the installation cannot be verified without it")
	}
	return in, nil
}
