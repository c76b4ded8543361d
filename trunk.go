package callbackline

import (
	"context"
	"time"
)

// PortalTrunk is a portal's own SIP account, entered by its administrator
// on the app page: its company's calls go out through it and are paid by
// it. The password is kept only encrypted (encryption_key), bound to the
// portal's member_id.
type PortalTrunk struct {
	MemberID  string
	Registrar string   // host[:port] of the registrar or proxy
	Proxy     string   // outbound proxy host[:port], optional
	Username  string   // the account's user name
	Password  string   // its password; sealed at rest
	CallerIDs []string // the numbers it may show, E.164; the first is the default
	Transport string   // udp, tcp or tls
	Register  bool     // keep a registration (else tested with OPTIONS)
	UpdatedAt time.Time
	UpdatedBy int64 // the Bitrix24 user who saved it
	// Audit, when set on a save, is written to the portal's audit log
	// in the same transaction as the change (reads leave it nil).
	Audit *Change
}

// TrunkStore keeps the portals' own SIP accounts.
type TrunkStore interface {
	// PortalTrunk returns the portal's own account, ENOTFOUND when it has
	// none.
	PortalTrunk(ctx context.Context, memberID string) (*PortalTrunk, error)
	// PortalTrunks returns every portal's own account (at start).
	PortalTrunks(ctx context.Context) ([]*PortalTrunk, error)
	// SavePortalTrunk inserts or replaces the portal's own account:
	// ENOTFOUND when the portal is not installed, EINVALID when the store
	// has no encryption key (a password is never stored in the clear).
	SavePortalTrunk(ctx context.Context, t *PortalTrunk) error
	// DeletePortalTrunk removes it (audit, when set, goes to the audit
	// log in the same transaction); DeletePortal removes it too.
	DeletePortalTrunk(ctx context.Context, memberID string, audit *Change) error
}
