package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// CallbackCols are the columns ScanCallback reads, in its order.
const CallbackCols = `id, member_id, kind, phone, phone_raw, text, voice, crm_entity_type, crm_entity_id,
	line_number, call_id, user_id, state, reason, duplicates, last_duplicate_at, event_at, created_at, updated_at,
	next_at, client_attempts, employee_rounds`

// ScanCallback reads CallbackCols, after the extra columns given.
func ScanCallback(r Row, extra ...any) (*callbackline.Callback, error) {
	var (
		cb          callbackline.Callback
		kind, state string
	)
	err := r.Scan(append(extra, &cb.ID, &cb.MemberID, &kind, &cb.Phone, &cb.PhoneRaw, &cb.Text, &cb.Voice,
		&cb.CRMEntityType, &cb.CRMEntityID, &cb.LineNumber, &cb.CallID, &cb.UserID, &state, &cb.Reason,
		&cb.Duplicates, &cb.LastDuplicateAt, &cb.EventAt, &cb.CreatedAt, &cb.UpdatedAt, &cb.NextAt,
		&cb.ClientAttempts, &cb.EmployeeRounds)...)
	if err != nil {
		return nil, err
	}
	cb.Kind, cb.State = callbackline.Kind(kind), callbackline.State(state)
	return &cb, nil
}

// Callback returns one callback, or an ENOTFOUND error.
func (s *Store) Callback(ctx context.Context, id int64) (*callbackline.Callback, error) {
	cb, err := ScanCallback(s.r.QueryRow(ctx, `SELECT `+CallbackCols+` FROM callbacks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "callback %d not found", id)
	}
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "%s: callback %d", s.d.Name, id)
	}
	return cb, nil
}

// Callbacks lists callbacks, newest (highest id) first.
func (s *Store) Callbacks(ctx context.Context, f callbackline.CallbackFilter) ([]*callbackline.Callback, error) {
	var (
		where []string
		args  []any
	)
	if f.MemberID != "" {
		where, args = append(where, "member_id = ?"), append(args, f.MemberID)
	}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, string(f.State))
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT ` + CallbackCols + ` FROM callbacks`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	list, err := collect(ctx, s.r, func(r Row) (*callbackline.Callback, error) { return ScanCallback(r) }, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "%s: list callbacks", s.d.Name)
	}
	if list == nil {
		list = []*callbackline.Callback{}
	}
	return list, nil
}

// CallbackCounts counts callbacks by state; every known state is present,
// zero when it has none.
func (s *Store) CallbackCounts(ctx context.Context) (map[callbackline.State]int, error) {
	type count struct {
		state string
		n     int
	}
	list, err := collect(ctx, s.r, func(r Row) (c count, err error) { return c, r.Scan(&c.state, &c.n) },
		`SELECT state, count(*) FROM callbacks GROUP BY state`)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINTERNAL, "%s: count callbacks", s.d.Name)
	}
	counts := make(map[callbackline.State]int, 11)
	for _, st := range callbackline.States() {
		counts[st] = 0
	}
	for _, c := range list {
		counts[callbackline.State(c.state)] = c.n
	}
	return counts, nil
}

// now is the current time as stores keep it.
func now() time.Time { return callbackline.StoredTime(time.Now()) }
