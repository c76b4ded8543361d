package bitrix24

import (
	"context"
	"fmt"

	"github.com/callbackline/callbackline"
)

// User is an employee as user.get gives it (docs/bitrix24.md §8.2).
type User struct {
	ID               ID   `json:"ID"`
	Active           Bool `json:"ACTIVE"`
	Name             Text `json:"NAME"`
	LastName         Text `json:"LAST_NAME"`
	Email            Text `json:"EMAIL"`
	IsOnline         Bool `json:"IS_ONLINE"`
	PhoneInner       Text `json:"UF_PHONE_INNER"`
	WorkPhone        Text `json:"WORK_PHONE"`
	PersonalMobile   Text `json:"PERSONAL_MOBILE"`
	PersonalPhone    Text `json:"PERSONAL_PHONE"`
	LastActivityDate Text `json:"LAST_ACTIVITY_DATE"`
	UserType         Text `json:"USER_TYPE"`
}

// FullName is the name and last name.
func (u *User) FullName() string {
	switch {
	case u.Name == "":
		return string(u.LastName)
	case u.LastName == "":
		return string(u.Name)
	}
	return string(u.Name) + " " + string(u.LastName)
}

// Users lists the employees matching the filter (user.get, every page).
func (c *Client) Users(ctx context.Context, p *callbackline.Portal, filter map[string]any) ([]User, error) {
	params := map[string]any{}
	if len(filter) > 0 {
		params["FILTER"] = filter
	}
	return ListAll[User](ctx, c, p, "user.get", params)
}

// User returns one employee by id; ErrUserNotFound when there is none.
func (c *Client) User(ctx context.Context, p *callbackline.Portal, id int64) (*User, error) {
	var us []User
	if err := c.Call(ctx, p, "user.get", map[string]any{"FILTER": map[string]any{"ID": id}}, &us); err != nil {
		return nil, err
	}
	for i := range us {
		if int64(us[i].ID) == id {
			return &us[i], nil
		}
	}
	return nil, fmt.Errorf("bitrix24 user.get: user %d: %w", id, ErrUserNotFound)
}

// UserByPhoneInner returns the active employee with the extension
// (UF_PHONE_INNER); ErrUserNotFound when there is none.
func (c *Client) UserByPhoneInner(ctx context.Context, p *callbackline.Portal, inner string) (*User, error) {
	var us []User
	err := c.Call(ctx, p, "user.get", map[string]any{"FILTER": map[string]any{"UF_PHONE_INNER": inner, "ACTIVE": true}}, &us)
	if err != nil {
		return nil, err
	}
	for i := range us {
		if string(us[i].PhoneInner) == inner && bool(us[i].Active) {
			return &us[i], nil
		}
	}
	return nil, fmt.Errorf("bitrix24 user.get: extension %s: %w", inner, ErrUserNotFound)
}

// Timeman is a user's working-day status (timeman.status).
type Timeman struct {
	Status     Text `json:"STATUS"` // OPENED, CLOSED, PAUSED, EXPIRED
	TimeStart  Text `json:"TIME_START"`
	TimeFinish Text `json:"TIME_FINISH"`
	Duration   Text `json:"DURATION"`
	TimeLeaks  Text `json:"TIME_LEAKS"`
	Active     Bool `json:"ACTIVE"`
	TZOffset   ID   `json:"TZ_OFFSET"`
}

// Working reports whether the working day is open (not closed, paused or expired).
func (t *Timeman) Working() bool { return t.Status == "OPENED" }

// TimemanStatus returns a user's working-day status.
func (c *Client) TimemanStatus(ctx context.Context, p *callbackline.Portal, userID int64) (*Timeman, error) {
	var t Timeman
	if err := c.Call(ctx, p, "timeman.status", map[string]any{"USER_ID": userID}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// SearchUsers returns the first page (50) of the portal's active
// employees whose name, last name or position starts with text
// (user.search with FIND: each word of text matches the start of one of
// them), and whether more match.
func (c *Client) SearchUsers(ctx context.Context, p *callbackline.Portal, text string) ([]User, bool, error) {
	resp, err := c.Do(ctx, p, "user.search", map[string]any{
		"FILTER": map[string]any{"FIND": text, "ACTIVE": true, "USER_TYPE": "employee"}, "start": 0})
	if err != nil {
		return nil, false, err
	}
	var us []User
	if err := decodeResult("user.search", resp.Result, &us); err != nil {
		return nil, false, err
	}
	return us, resp.Next != nil, nil
}

// UsersByID returns the employees with these ids (user.get), in pages.
func (c *Client) UsersByID(ctx context.Context, p *callbackline.Portal, ids []int64) ([]User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list := make([]any, len(ids))
	for i, id := range ids {
		list[i] = id
	}
	return c.Users(ctx, p, map[string]any{"ID": list})
}
