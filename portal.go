package callbackline

import (
	"context"
	"time"
)

// PortalStatus is where a portal stands with callbackline.
type PortalStatus string

// Portal statuses.
const (
	// PortalInstalled: the installation was verified with the OAuth server;
	// events are accepted and calls are placed.
	PortalInstalled PortalStatus = "installed"
	// PortalReinstall: the OAuth server refused our refresh token
	// (invalid_grant, PAYMENT_REQUIRED); events are still accepted, REST
	// calls fail fast until the application is installed again.
	PortalReinstall PortalStatus = "reinstall_required"
	// PortalUninstalled: ONAPPUNINSTALL arrived; events are refused.
	PortalUninstalled PortalStatus = "uninstalled"
)

// Portal is one Bitrix24 account (a "portal") that installed callbackline.
// It is keyed by MemberID, which survives a change of domain.
type Portal struct {
	MemberID         string       // auth[member_id]: the tenant key
	Domain           string       // the portal's host, e.g. example.bitrix24.de
	ClientEndpoint   string       // the REST base URL, from the OAuth server's answer only
	AccessToken      string       // secret
	RefreshToken     string       // secret; rotates on every refresh
	ExpiresAt        time.Time    // when AccessToken expires
	ApplicationToken string       // secret shared with Bitrix24; checks every event
	UserID           int64        // the installing user
	Scope            string       // granted scopes, comma-separated
	AppStatus        string       // Bitrix24's letter: L, F, D, T, P, S
	Language         string       // portal language from ONAPPINSTALL (de, ru, en, …)
	Status           PortalStatus // installed, reinstall_required, uninstalled
	StatusReason     string       // why the status is what it is, for people
	InstalledAt      time.Time
	UpdatedAt        time.Time
}

// Tokens is one OAuth token pair with where to use it.
type Tokens struct {
	AccessToken    string
	RefreshToken   string
	ExpiresAt      time.Time
	ClientEndpoint string // the portal's REST base URL as the OAuth server gave it
	Domain         string // the portal's host, taken from ClientEndpoint
}

// PortalStore keeps installed portals.
type PortalStore interface {
	// SavePortal inserts the portal or replaces the row with its MemberID
	// (re-installation). InstalledAt is kept from the first installation.
	SavePortal(ctx context.Context, p *Portal) error
	// Portal returns the portal with the member id, or an ENOTFOUND error.
	Portal(ctx context.Context, memberID string) (*Portal, error)
	// Portals lists every portal, ordered by member id.
	Portals(ctx context.Context) ([]*Portal, error)
	// SaveTokens stores a refreshed token pair (and the endpoint and domain
	// that came with it) for the portal; ENOTFOUND if it is not there.
	SaveTokens(ctx context.Context, memberID string, t Tokens) error
	// SetPortalStatus changes the status and its reason; ENOTFOUND if the
	// portal is not there.
	SetPortalStatus(ctx context.Context, memberID string, s PortalStatus, reason string) error
	// DeletePortal removes the portal and all of its data (callbacks,
	// their history and queued jobs). Deleting a missing portal is no error.
	DeletePortal(ctx context.Context, memberID string) error
	// QueueUninstall queues an UninstallJob to run after delay, unless the
	// same job (same arguments) is already waiting; when the same job is
	// running, one more (Recheck set) is queued to run after it, so that a
	// check always starts after the last event it answers.
	QueueUninstall(ctx context.Context, j UninstallJob, delay time.Duration) error
}

// UninstallJob checks with the portal whether an ONAPPUNINSTALL that
// arrived for it is true, and only then stops serving the portal (or, with
// Clean, deletes its data). The application token that authenticates the
// event reaches every user who opens the application, so the event
// itself proves nothing. Queued by PortalStore.QueueUninstall, worked by
// callback.UninstallWorker.
type UninstallJob struct {
	MemberID string `json:"member_id"`
	// Clean: the event asked for the portal's data to be deleted (CLEAN=1).
	Clean bool `json:"clean,omitempty"`
	// Refused: the portal's tokens had been refused already when the
	// event arrived (PortalReinstall), so a refusal now proves nothing.
	Refused bool `json:"refused,omitempty"`
	// Recheck: queued while the same check was running.
	Recheck bool `json:"recheck,omitempty"`
}

// Kind names the job for the queue.
func (UninstallJob) Kind() string { return "uninstall" }
