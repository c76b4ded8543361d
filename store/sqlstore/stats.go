package sqlstore

import (
	"context"

	"github.com/callbackline/callbackline"
)

var _ callbackline.StatsStore = (*Store)(nil)

// statsQuery reads one row per callback request: the callback, the
// employee who first answered (else the last attempt's user) and when
// the first employee and the client answered, from the history. Plain SQL
// both backends run alike; the figures are counted from these rows.
const statsQuery = `SELECT c.id, c.line_number, c.created_at, c.state, c.reason, c.crm_entity_type, c.crm_entity_id,
	coalesce(
		(SELECT a.user_id FROM history h JOIN attempts a ON a.id = h.attempt_id
			WHERE h.callback_id = c.id AND h.state = 'announcing' ORDER BY h.id LIMIT 1),
		(SELECT a.user_id FROM attempts a WHERE a.callback_id = c.id ORDER BY a.number DESC LIMIT 1),
		0),
	(SELECT min(h.at) FROM history h WHERE h.callback_id = c.id AND h.state = 'announcing'),
	(SELECT min(h.at) FROM history h WHERE h.callback_id = c.id AND h.state = 'connected')
FROM callbacks c
WHERE c.member_id = ? AND c.kind = 'callback' AND c.created_at >= ? AND c.created_at < ?`

// StatsRows lists the portal's callback requests of the filter, oldest
// first. EINVALID without a portal or with an empty period.
func (s *Store) StatsRows(ctx context.Context, f callbackline.StatsFilter) ([]callbackline.StatsRow, error) {
	if f.MemberID == "" || f.From.IsZero() || !f.To.After(f.From) {
		return nil, callbackline.Errorf(callbackline.EINVALID, "stats: a portal and a period (from before to) are needed")
	}
	q, args := statsQuery, []any{f.MemberID, f.From, f.To}
	if f.Line != "" {
		q, args = q+` AND c.line_number = ?`, append(args, f.Line)
	}
	list, err := collect(ctx, s.r, func(r Row) (row callbackline.StatsRow, err error) {
		var state string
		err = r.Scan(&row.ID, &row.LineNumber, &row.CreatedAt, &state, &row.Reason, &row.CRMEntityType,
			&row.CRMEntityID, &row.UserID, &row.EmployeeAt, &row.ClientAt)
		row.State = callbackline.State(state)
		return row, err
	}, q+` ORDER BY c.created_at, c.id`, args...)
	if err != nil {
		return nil, s.wrap(err, callbackline.EINTERNAL, "stats of portal %s", f.MemberID)
	}
	return list, nil
}
