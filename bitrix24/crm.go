package bitrix24

import (
	"context"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// CRM entity type ids (crm.item.*, crm.activity.todo.add ownerTypeId).
const (
	EntityLead    = 1
	EntityDeal    = 2
	EntityContact = 3
	EntityCompany = 4
)

// EntityTypeID maps LEAD, DEAL, CONTACT, COMPANY (any case) to its id; 0
// for anything else.
func EntityTypeID(name string) int {
	switch strings.ToUpper(name) {
	case "LEAD":
		return EntityLead
	case "DEAL":
		return EntityDeal
	case "CONTACT":
		return EntityContact
	case "COMPANY":
		return EntityCompany
	}
	return 0
}

// Item is a CRM item as crm.item.get gives it (camelCase keys).
type Item struct {
	ID              ID   `json:"id"`
	Title           Text `json:"title"`
	Name            Text `json:"name"`
	LastName        Text `json:"lastName"`
	AssignedByID    ID   `json:"assignedById"`
	ContactID       ID   `json:"contactId"`
	CompanyID       ID   `json:"companyId"`
	StageSemanticID Text `json:"stageSemanticId"`
}

// CRMItem returns a CRM item (crm.item.get); ErrNotFound when there is none.
func (c *Client) CRMItem(ctx context.Context, p *callbackline.Portal, entityTypeID int, id int64) (*Item, error) {
	var r struct {
		Item Item `json:"item"`
	}
	if err := c.Call(ctx, p, "crm.item.get", map[string]any{"entityTypeId": entityTypeID, "id": id}, &r); err != nil {
		return nil, err
	}
	return &r.Item, nil
}

// AddTimelineComment writes a comment into an entity's timeline
// (crm.timeline.comment.add) and returns its id. entityType is lead,
// contact, company, deal or dynamic_N (lower-cased here). The comment is
// shown as BB-code: text from outside the portal goes through Plain.
func (c *Client) AddTimelineComment(ctx context.Context, p *callbackline.Portal, entityType string, entityID int64, comment string) (int64, error) {
	var id ID
	err := c.Call(ctx, p, "crm.timeline.comment.add", map[string]any{"fields": map[string]any{
		"ENTITY_ID": entityID, "ENTITY_TYPE": strings.ToLower(entityType), "COMMENT": comment}}, &id)
	return int64(id), err
}

// Todo are crm.activity.todo.add's parameters (docs/bitrix24.md §8.3).
type Todo struct {
	OwnerTypeID   int // EntityLead, EntityContact, …
	OwnerID       int64
	Deadline      time.Time
	Title         string
	Description   string
	ResponsibleID int64 // 0: the entity's responsible
	PingOffsets   []int // minutes before the deadline
}

// AddTodo creates a to-do activity and returns its id.
func (c *Client) AddTodo(ctx context.Context, p *callbackline.Portal, t Todo) (int64, error) {
	m := map[string]any{"ownerTypeId": t.OwnerTypeID, "ownerId": t.OwnerID, "deadline": t.Deadline.Format(time.RFC3339)}
	if t.Title != "" {
		m["title"] = t.Title
	}
	if t.Description != "" {
		m["description"] = t.Description
	}
	if t.ResponsibleID != 0 {
		m["responsibleId"] = t.ResponsibleID
	}
	if len(t.PingOffsets) > 0 {
		m["pingOffsets"] = t.PingOffsets
	}
	var r struct {
		ID ID `json:"id"`
	}
	err := c.Call(ctx, p, "crm.activity.todo.add", m, &r)
	return int64(r.ID), err
}
