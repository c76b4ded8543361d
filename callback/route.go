package callback

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/sip"
)

// candidate is an employee who may take the callback.
type candidate struct {
	userID    int64
	extension string
	name      string
	target    bool // the line's fixed target, not an employee
}

func (c candidate) describe() callbackline.Note {
	switch {
	case c.target:
		return callbackline.NewNote("employee", callbackline.NewNote("line_target"), c.extension)
	case c.name == "":
		return callbackline.NewNote("extension", c.extension)
	}
	return callbackline.NewNote("employee", c.name, c.extension)
}

func describe(cs []candidate) callbackline.Note {
	parts := make([]callbackline.Note, len(cs))
	for i, c := range cs {
		parts[i] = c.describe()
	}
	return callbackline.NoteList(parts)
}

// route chooses who answers: the CRM entity's responsible user, then the
// line's employees, each only when active, reachable on an extension and,
// by policy, present and at work. A line with a fixed target rings only
// that.
func (r *run) route(ctx context.Context) ([]candidate, error) {
	resp, err := r.responsibleUser(ctx)
	if err != nil {
		return nil, err
	}
	r.responsible = resp
	if r.line.Target != "" {
		c := candidate{userID: r.line.TargetUser, extension: r.line.Target, name: "line target", target: true}
		if why := r.refused(c); why.Code != "" {
			return nil, r.skipped(ctx, c.userID, why)
		}
		return []candidate{c}, nil
	}
	var out []candidate
	seen := map[int64]bool{}
	for _, id := range append([]int64{resp}, r.line.Employees...) {
		if id == 0 || seen[id] {
			continue
		}
		seen[id] = true
		c, why, err := r.available(ctx, id, true)
		if err != nil {
			return nil, err
		}
		if why.Code == "" {
			why = r.refused(c)
			if why.Code != "" {
				if err := r.skipped(ctx, id, why); err != nil {
					return nil, err
				}
				continue
			}
		}
		if why.Code != "" {
			r.tried += why.English() + "; "
			r.log.Info("employee skipped", slog.Int64("user_id", id), slog.String("why", why.English()))
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// responsibleUser is the responsible of the callback's CRM entity, else of
// the first CRM entity with the client's number; 0 when there is none.
// Lookup failures other than a broken installation only lose the
// preference for the responsible.
func (r *run) responsibleUser(ctx context.Context) (int64, error) {
	var id int64
	var err error
	if t := bitrix24.EntityTypeID(r.cb.CRMEntityType); t != 0 && r.cb.CRMEntityID > 0 {
		var item *bitrix24.Item
		if item, err = r.w.cfg.CRM.CRMItem(ctx, r.portal, t, r.cb.CRMEntityID); err == nil {
			id = int64(item.AssignedByID)
		}
	} else {
		var found []bitrix24.CRMMatch
		if found, err = r.w.cfg.CRM.SearchCRMEntities(ctx, r.portal, r.cb.Phone); err == nil && len(found) > 0 {
			id = int64(found[0].AssignedByID)
		}
	}
	if err != nil {
		if bitrix24.NeedsReinstall(err) {
			return 0, err
		}
		r.w.cfg.Metrics.crmError("responsible")
		r.log.Warn("finding the responsible employee failed; trying the line's employees", slog.Any("err", err))
	}
	return id, nil
}

// available looks an employee up and says why they cannot take the call
// (no code when they can). filter applies the policy's presence checks
// (absent, working day), which choose who takes a callback.
func (r *run) available(ctx context.Context, id int64, filter bool) (candidate, callbackline.Note, error) {
	u, err := r.w.users.get(ctx, r.w.cfg.CRM, r.portal, id)
	if err != nil {
		if bitrix24.NeedsReinstall(err) {
			return candidate{}, callbackline.Note{}, err
		}
		return candidate{}, callbackline.NewNote("lookup_failed", id, callbackline.ErrorMessage(err)), nil
	}
	c := candidate{userID: id, extension: strings.TrimSpace(string(u.PhoneInner)), name: u.FullName()}
	switch {
	case !bool(u.Active):
		return c, callbackline.NewNote("inactive", nameOr(c, id)), nil
	case c.extension == "":
		return c, callbackline.NewNote("no_extension", nameOr(c, id)), nil
	}
	if filter && r.policy.SkipAbsent {
		im, err := r.w.cfg.CRM.IMUser(ctx, r.portal, id)
		if err == nil && im.IsAbsent() {
			return c, callbackline.NewNote("absent", nameOr(c, id), im.Absent), nil
		}
	}
	if filter && r.policy.RequireWorkday {
		tm, err := r.w.cfg.CRM.TimemanStatus(ctx, r.portal, id)
		if err == nil && !tm.Working() {
			return c, callbackline.NewNote("not_at_work", nameOr(c, id), workday(string(tm.Status))), nil
		}
	}
	return c, callbackline.Note{}, nil
}

// refused says why the trunk's extension rule refuses c's extension (no
// code when it allows it): nothing is dialled for an extension that could reach the
// public network, a feature code or another company's phones. The
// extension is shown masked when it could be a phone number.
func (r *run) refused(c candidate) callbackline.Note {
	if err := r.w.cfg.Dialer.CheckExtension(r.cb.MemberID, r.line.Number, c.extension); err != nil {
		return callbackline.NewNote("skipped", nameOr(c, c.userID), sip.MaskExtension(c.extension))
	}
	return callbackline.Note{}
}

// skipped records an employee skipped for a refused extension in the
// callback's history, where the app page shows it to the administrator.
func (r *run) skipped(ctx context.Context, id int64, why callbackline.Note) error {
	r.tried += why.English() + "; "
	r.log.Warn("employee skipped", slog.Int64("user_id", id), slog.String("why", why.English()))
	return r.step(ctx, callbackline.StateRouting, 0, why)
}

// workday says a working day's status (timeman.status): a note for those
// known, else the status in lower case.
func workday(status string) any {
	s := strings.ToLower(status)
	switch s {
	case "closed", "paused", "expired":
		return callbackline.NewNote("workday_" + s)
	}
	return s
}

// nameOr names c: the line's target, the employee's name, else "user <id>".
func nameOr(c candidate, id int64) any {
	switch {
	case c.target:
		return callbackline.NewNote("line_target")
	case c.name != "":
		return c.name
	}
	return callbackline.NewNote("user", id)
}

// userCache keeps user.get answers briefly: routing looks the same people
// up for every callback.
type userCache struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]userEntry
}

type userEntry struct {
	u  *bitrix24.User
	at time.Time
}

func newUserCache(ttl time.Duration, now func() time.Time) *userCache {
	return &userCache{ttl: ttl, now: now, m: map[string]userEntry{}}
}

func (c *userCache) get(ctx context.Context, crm *bitrix24.Client, p *callbackline.Portal, id int64) (*bitrix24.User, error) {
	key := fmt.Sprintf("%s/%d", p.MemberID, id)
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && c.now().Sub(e.at) < c.ttl {
		return e.u, nil
	}
	u, err := crm.User(ctx, p, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.m[key] = userEntry{u: u, at: c.now()}
	c.mu.Unlock()
	return u, nil
}
