package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/callbackline/callbackline"
)

const portalCols = `member_id, domain, client_endpoint, access_token, refresh_token, expires_at, application_token,
	user_id, scope, app_status, language, status, status_reason, installed_at, updated_at`

func validStatus(s callbackline.PortalStatus) bool {
	switch s {
	case callbackline.PortalInstalled, callbackline.PortalReinstall, callbackline.PortalUninstalled:
		return true
	}
	return false
}

// SavePortal inserts the portal or replaces the row with its MemberID,
// keeping InstalledAt from the first installation. An empty Status means
// PortalInstalled; a zero InstalledAt means now. On return p carries the
// stored Status, InstalledAt and UpdatedAt.
func (s *Store) SavePortal(ctx context.Context, p *callbackline.Portal) error {
	if p == nil || p.MemberID == "" {
		return callbackline.Errorf(callbackline.EINVALID, "portal: no member id")
	}
	status := p.Status
	if status == "" {
		status = callbackline.PortalInstalled
	}
	if !validStatus(status) {
		return callbackline.Errorf(callbackline.EINVALID, "portal: unknown status %q", status)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	installed := callbackline.StoredTime(p.InstalledAt)
	if installed.IsZero() {
		installed = now
	}
	var inst, upd time.Time
	err := s.pool.QueryRow(ctx, `INSERT INTO portals (`+portalCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (member_id) DO UPDATE SET
			domain = excluded.domain, client_endpoint = excluded.client_endpoint,
			access_token = excluded.access_token, refresh_token = excluded.refresh_token,
			expires_at = excluded.expires_at, application_token = excluded.application_token,
			user_id = excluded.user_id, scope = excluded.scope, app_status = excluded.app_status,
			language = excluded.language, status = excluded.status, status_reason = excluded.status_reason,
			updated_at = excluded.updated_at
		RETURNING installed_at, updated_at`,
		p.MemberID, p.Domain, p.ClientEndpoint, s.opts.Secrets.Seal(p.AccessToken), s.opts.Secrets.Seal(p.RefreshToken), nullTime(p.ExpiresAt),
		s.opts.Secrets.Seal(p.ApplicationToken), p.UserID, p.Scope, p.AppStatus, p.Language, string(status), p.StatusReason,
		installed, now).Scan(&inst, &upd)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: save portal")
	}
	p.Status = status
	p.InstalledAt, p.UpdatedAt = inst.UTC(), upd.UTC()
	return nil
}

// Portal returns the portal with the member id, or an ENOTFOUND error.
func (s *Store) Portal(ctx context.Context, memberID string) (*callbackline.Portal, error) {
	p, err := scanPortal(s.pool.QueryRow(ctx, `SELECT `+portalCols+` FROM portals WHERE member_id = $1`, memberID))
	if isNoRows(err) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "portal %q is not installed", memberID)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: portal")
	}
	if err := s.openSecrets(p); err != nil {
		return nil, err
	}
	return p, nil
}

// Portals lists every portal, ordered by member id.
func (s *Store) Portals(ctx context.Context) ([]*callbackline.Portal, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+portalCols+` FROM portals ORDER BY member_id`)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: portals")
	}
	defer rows.Close()
	var list []*callbackline.Portal
	for rows.Next() {
		p, err := scanPortal(rows)
		if err != nil {
			return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: portals")
		}
		if err := s.openSecrets(p); err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	if err := rows.Err(); err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: portals")
	}
	return list, nil
}

// SaveTokens stores a refreshed token pair for the portal. An empty
// ClientEndpoint or Domain keeps the stored one.
func (s *Store) SaveTokens(ctx context.Context, memberID string, t callbackline.Tokens) error {
	res, err := s.pool.Exec(ctx, `UPDATE portals SET access_token = $1, refresh_token = $2, expires_at = $3,
			client_endpoint = CASE WHEN $4 = '' THEN client_endpoint ELSE $4 END,
			domain = CASE WHEN $5 = '' THEN domain ELSE $5 END,
			updated_at = $6
		WHERE member_id = $7`,
		s.opts.Secrets.Seal(t.AccessToken), s.opts.Secrets.Seal(t.RefreshToken), nullTime(t.ExpiresAt), t.ClientEndpoint, t.Domain,
		time.Now().UTC().Truncate(time.Microsecond), memberID)
	return affected(res, err, "save tokens", memberID)
}

// SetPortalStatus changes the status and its reason.
func (s *Store) SetPortalStatus(ctx context.Context, memberID string, st callbackline.PortalStatus, reason string) error {
	if !validStatus(st) {
		return callbackline.Errorf(callbackline.EINVALID, "portal: unknown status %q", st)
	}
	res, err := s.pool.Exec(ctx, `UPDATE portals SET status = $1, status_reason = $2, updated_at = $3 WHERE member_id = $4`,
		string(st), reason, time.Now().UTC().Truncate(time.Microsecond), memberID)
	return affected(res, err, "set portal status", memberID)
}

func affected(res pgconn.CommandTag, err error, what, memberID string) error {
	if err != nil {
		return callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: %s", what)
	}
	if res.RowsAffected() == 0 {
		return callbackline.Errorf(callbackline.ENOTFOUND, "portal %q is not installed", memberID)
	}
	return nil
}

// DeletePortal removes the portal, its callbacks and their jobs that are
// not running (a running job finds its callback gone).
func (s *Store) DeletePortal(ctx context.Context, memberID string) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: delete portal")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// The intake lock: no intake of this portal runs meanwhile.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.portalLockKey(memberID)); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: delete portal")
	}
	for _, q := range []string{
		`DELETE FROM river_job WHERE kind = 'callback' AND state <> 'running'
			AND (args ->> 'callback_id')::bigint IN (SELECT id FROM callbacks WHERE member_id = $1)`,
		`DELETE FROM callbacks WHERE member_id = $1`,
		`DELETE FROM settings WHERE member_id = $1`,
		`DELETE FROM portals WHERE member_id = $1`,
	} {
		if _, err := tx.Exec(ctx, q, memberID); err != nil {
			return callbackline.WrapError(err, callbackline.EINTERNAL, "postgres: delete portal")
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: delete portal")
	}
	return nil
}

func scanPortal(r pgx.Row) (*callbackline.Portal, error) {
	var (
		p              callbackline.Portal
		status         string
		expires        *time.Time
		installed, upd time.Time
	)
	err := r.Scan(&p.MemberID, &p.Domain, &p.ClientEndpoint, &p.AccessToken, &p.RefreshToken, &expires,
		&p.ApplicationToken, &p.UserID, &p.Scope, &p.AppStatus, &p.Language, &status, &p.StatusReason,
		&installed, &upd)
	if err != nil {
		return nil, err
	}
	p.Status = callbackline.PortalStatus(status)
	p.ExpiresAt = fromNull(expires)
	p.InstalledAt, p.UpdatedAt = installed.UTC(), upd.UTC()
	return &p, nil
}

// openSecrets decrypts the tokens of a portal read from the database
// (Options.Secrets); tokens stored in the clear are kept as they are.
func (s *Store) openSecrets(p *callbackline.Portal) error {
	return s.opts.Secrets.OpenAll(&p.AccessToken, &p.RefreshToken, &p.ApplicationToken)
}
