package bitrix24

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/callbackline/callbackline"
)

// IMUser is a user as the messenger sees them (im.user.get, docs/bitrix24.md §8.2).
type IMUser struct {
	ID               ID       `json:"id"`
	Active           Bool     `json:"active"`
	Name             Text     `json:"name"`
	Status           Text     `json:"status"` // online, away, dnd, …
	Idle             Text     `json:"idle"`   // since when idle; "" if not
	LastActivityDate Text     `json:"last_activity_date"`
	Absent           Text     `json:"absent"` // end of the absence; "" if not absent
	Phones           IMPhones `json:"phones"`
}

// IMPhones are the phones of an IMUser; false on the wire when none.
type IMPhones struct {
	WorkPhone      Text `json:"work_phone"`
	PersonalMobile Text `json:"personal_mobile"`
	InnerPhone     Text `json:"inner_phone"`
}

// UnmarshalJSON accepts an object, or false/[]/null for none.
func (ph *IMPhones) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		*ph = IMPhones{}
		return nil
	}
	type plain IMPhones
	return json.Unmarshal(b, (*plain)(ph))
}

// IsAbsent reports whether the user is on leave (vacation, sick leave …).
func (u *IMUser) IsAbsent() bool { return u.Absent != "" }

// IMUser returns a user's messenger status, including absence.
func (c *Client) IMUser(ctx context.Context, p *callbackline.Portal, userID int64) (*IMUser, error) {
	var u IMUser
	if err := c.Call(ctx, p, "im.user.get", map[string]any{"ID": userID}, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// Notify are im.notify.system.add's parameters.
type Notify struct {
	UserID     int64
	Message    string // BB-code: text from outside the portal goes through Plain
	MessageOut string // for e-mail/push
	Tag        string // a later notification with the same tag replaces this one
	SubTag     string
	Attach     any // ATTACH, at most 60,000 characters
}

// NotifySystem sends a system notification and returns its id (0 when the
// portal answered false).
func (c *Client) NotifySystem(ctx context.Context, p *callbackline.Portal, n Notify) (int64, error) {
	m := map[string]any{"USER_ID": n.UserID, "MESSAGE": n.Message}
	if n.MessageOut != "" {
		m["MESSAGE_OUT"] = n.MessageOut
	}
	if n.Tag != "" {
		m["TAG"] = n.Tag
	}
	if n.SubTag != "" {
		m["SUB_TAG"] = n.SubTag
	}
	if n.Attach != nil {
		m["ATTACH"] = n.Attach
	}
	var id ID
	err := c.Call(ctx, p, "im.notify.system.add", m, &id)
	return int64(id), err
}
