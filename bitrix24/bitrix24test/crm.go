package bitrix24test

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// User is an employee of the simulated portal.
type User struct {
	ID             int64
	Name, LastName string
	Email          string
	Position       string // WORK_POSITION
	Active         bool   // false: dismissed
	Admin          bool
	PhoneInner     string // UF_PHONE_INNER: the extension
	WorkPhone      string
	PersonalMobile string
	PersonalPhone  string
	Online         bool
	Timeman        string    // OPENED, CLOSED, PAUSED, EXPIRED; "" means CLOSED
	AbsentUntil    time.Time // zero: not absent
}

// Entity is a CRM lead, contact, company or deal.
type Entity struct {
	Type         string // LEAD, CONTACT, COMPANY, DEAL
	ID           int64
	Title        string // leads, companies, deals
	Name         string // contacts (and a lead's contact name)
	LastName     string
	AssignedByID int64
	Phones       []string
	ContactID    int64 // deals
	CompanyID    int64 // deals, contacts
}

// DefaultUsers is the CRM's staff unless Options say otherwise: the
// administrator (1), an available employee (1269, the examples' user), a
// dismissed one (1270), one on vacation (1271), one whose working day is
// closed (1272) and one on a break (1273).
func DefaultUsers() []User {
	return []User{
		{ID: 1, Name: "Anna", LastName: "Admin", Email: "admin@example.com", Active: true, Admin: true, PhoneInner: "100", Online: true, Timeman: "OPENED"},
		{ID: 1269, Name: "Max", LastName: "Müller", Email: "max@example.com", Active: true, PhoneInner: "101", WorkPhone: "+4930123456101", PersonalMobile: "+491701234567", Online: true, Timeman: "OPENED"},
		{ID: 1270, Name: "Erika", LastName: "Weiß", Email: "erika@example.com", Active: false, PhoneInner: "102", Timeman: "CLOSED"},
		{ID: 1271, Name: "Jonas", LastName: "Becker", Email: "jonas@example.com", Active: true, PhoneInner: "103", Timeman: "CLOSED", AbsentUntil: time.Now().AddDate(0, 0, 7).Truncate(24 * time.Hour)},
		{ID: 1272, Name: "Lena", LastName: "Schmidt", Email: "lena@example.com", Active: true, PhoneInner: "104", Timeman: "CLOSED"},
		{ID: 1273, Name: "Paul", LastName: "Wagner", Email: "paul@example.com", Active: true, PhoneInner: "105", Online: true, Timeman: "PAUSED"},
	}
}

// DefaultEntities is the CRM's clients unless Options say otherwise; the
// ids are those of the examples in docs/bitrix24.md (§5.2, §5.3, §11).
func DefaultEntities() []Entity {
	return []Entity{
		{Type: "LEAD", ID: 5785, Title: "Callback request from the website", Name: "Klaus", LastName: "Fischer", AssignedByID: 1269, Phones: []string{"+494951234567"}},
		{Type: "CONTACT", ID: 797, Name: "Peter", LastName: "Neumann", AssignedByID: 1269, Phones: []string{"+74951234567"}, CompanyID: 12},
		{Type: "COMPANY", ID: 12, Title: "Neumann GmbH", AssignedByID: 1271, Phones: []string{"+493012345678"}},
		{Type: "CONTACT", ID: 798, Name: "Olga", LastName: "Petrova", AssignedByID: 1270, Phones: []string{"+79161234567"}},
		{Type: "LEAD", ID: 5786, Title: "Price enquiry", AssignedByID: 1272, Phones: []string{"+4915112345678"}},
		{Type: "DEAL", ID: 31, Title: "Annual contract", AssignedByID: 1273, ContactID: 797, CompanyID: 12},
	}
}

func (p *Portal) putUser(u User) {
	if _, ok := p.users[u.ID]; !ok {
		p.userOrder = append(p.userOrder, u.ID)
		sort.Slice(p.userOrder, func(i, j int) bool { return p.userOrder[i] < p.userOrder[j] })
	}
	uu := u
	p.users[u.ID] = &uu
}

func entityKey(typ string, id int64) string { return strings.ToUpper(typ) + ":" + itoa(id) }

func (p *Portal) putEntity(e Entity) {
	e.Type = strings.ToUpper(e.Type)
	k := entityKey(e.Type, e.ID)
	if _, ok := p.entities[k]; !ok {
		p.entityOrder = append(p.entityOrder, k)
	}
	ee := e
	ee.Phones = append([]string(nil), e.Phones...)
	p.entities[k] = &ee
	if e.ID >= p.nextEntityID {
		p.nextEntityID = e.ID + 1
	}
}

// SetUser adds or replaces an employee.
func (p *Portal) SetUser(u User) {
	p.mu.Lock()
	p.putUser(u)
	p.mu.Unlock()
}

// UpdateUser changes an employee in place; false if there is none.
func (p *Portal) UpdateUser(id int64, change func(*User)) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.users[id]
	if u == nil {
		return false
	}
	change(u)
	return true
}

// User returns a copy of the employee.
func (p *Portal) User(id int64) (User, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := p.users[id]; u != nil {
		return *u, true
	}
	return User{}, false
}

// SetEntity adds or replaces a CRM entity.
func (p *Portal) SetEntity(e Entity) {
	p.mu.Lock()
	p.putEntity(e)
	p.mu.Unlock()
}

// Entity returns a copy of a CRM entity (type LEAD, CONTACT, …).
func (p *Portal) Entity(typ string, id int64) (Entity, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.entities[entityKey(typ, id)]; e != nil {
		c := *e
		c.Phones = append([]string(nil), e.Phones...)
		return c, true
	}
	return Entity{}, false
}

// Entities lists the CRM entities in the order they were added.
func (p *Portal) Entities() []Entity {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Entity, 0, len(p.entityOrder))
	for _, k := range p.entityOrder {
		e := *p.entities[k]
		e.Phones = append([]string(nil), e.Phones...)
		out = append(out, e)
	}
	return out
}

func (p *Portal) findUserByInnerLocked(inner string) *User {
	for _, id := range p.userOrder {
		if u := p.users[id]; u.PhoneInner != "" && u.PhoneInner == inner {
			return u
		}
	}
	return nil
}

// searchLocked finds CRM entities by phone: contacts, then leads, then
// companies (docs/bitrix24.md §5.6).
func (p *Portal) searchLocked(phone string) []*Entity {
	d := digits(phone)
	if d == "" {
		return nil
	}
	var out []*Entity
	for _, typ := range []string{"CONTACT", "LEAD", "COMPANY"} {
		for _, k := range p.entityOrder {
			e := p.entities[k]
			if e.Type != typ {
				continue
			}
			for _, ph := range e.Phones {
				if samePhone(d, digits(ph)) {
					out = append(out, e)
					break
				}
			}
		}
	}
	return out
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func samePhone(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 7 && strings.HasSuffix(b, a)
}

// stripPhone keeps digits and + # * , ; (CVoxImplantPhone::stripLetters).
func stripPhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= '0' && r <= '9') || strings.ContainsRune("+#*,;", r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func international(s string) string {
	d := digits(s)
	if d == "" {
		return ""
	}
	return "+" + d
}

func (e *Entity) displayName() string {
	if e.Type == "CONTACT" || (e.Title == "" && e.Name != "") {
		return strings.TrimSpace(e.Name + " " + e.LastName)
	}
	return e.Title
}

func (p *Portal) dateLocked(t time.Time) string {
	return t.In(time.FixedZone("", 3*3600)).Format(time.RFC3339)
}

// bxDate is a Bitrix DateTime object that serialises as {} (docs/bitrix24.md §4.2).
type bxDate struct{}

func (p *Portal) userJSON(u *User) map[string]any {
	now := p.nowLocked()
	online := "N"
	if u.Online {
		online = "Y"
	}
	var inner any
	if u.PhoneInner != "" {
		inner = u.PhoneInner
	}
	return map[string]any{
		"ID": itoa(u.ID), "XML_ID": nil, "ACTIVE": u.Active, "NAME": u.Name, "LAST_NAME": u.LastName,
		"SECOND_NAME": "", "EMAIL": u.Email, "LAST_LOGIN": p.dateLocked(now.Add(-time.Hour)),
		"DATE_REGISTER": p.dateLocked(now.AddDate(-1, 0, 0)), "IS_ONLINE": online, "TIMESTAMP_X": bxDate{},
		"LAST_ACTIVITY_DATE": p.dateLocked(now.Add(-5 * time.Minute)), "PERSONAL_GENDER": "",
		"PERSONAL_MOBILE": u.PersonalMobile, "PERSONAL_PHONE": u.PersonalPhone, "WORK_PHONE": u.WorkPhone,
		"WORK_POSITION": u.Position, "UF_PHONE_INNER": inner, "UF_DEPARTMENT": []int{1}, "USER_TYPE": "employee",
	}
}

// user.current: the token's own user, with the fields user.get gives
// (Bitrix24's REST reference, "user.current"; scope user, or its smaller
// versions user_basic and user_brief).
func userCurrent(c *call) (*result, *apiError) {
	u := c.p.users[c.c.userID]
	if u == nil {
		return nil, errArg("ERROR_CORE", "User not found")
	}
	return &result{value: c.p.userJSON(u)}, nil
}

// user.get (docs/bitrix24.md §8.2): filter by ID, ACTIVE, UF_PHONE_INNER, IS_ONLINE,
// USER_TYPE, NAME, LAST_NAME, EMAIL; pages of 50.
func userGet(c *call) (*result, *apiError) {
	filter := c.params.sub("FILTER")
	if len(filter) == 0 {
		filter = c.params // legacy: filter fields at the top level
	}
	var rows []any
	for _, id := range c.p.userOrder {
		u := c.p.users[id]
		if userMatches(u, filter) {
			rows = append(rows, c.p.userJSON(u))
		}
	}
	return page(rows, c.params)
}

// user.search (docs/bitrix24.md §8.2): user.get's filter, and FIND: every
// word of it starts the name, last name or position (case ignored); pages
// of 50.
func userSearch(c *call) (*result, *apiError) {
	filter := c.params.sub("FILTER")
	if len(filter) == 0 {
		filter = c.params
	}
	find := strings.Fields(strings.ToLower(filter.str("FIND")))
	var rows []any
	for _, id := range c.p.userOrder {
		u := c.p.users[id]
		if userMatches(u, filter) && userFinds(u, find) {
			rows = append(rows, c.p.userJSON(u))
		}
	}
	return page(rows, c.params)
}

// userFinds reports whether every word starts one of u's names.
func userFinds(u *User, words []string) bool {
	names := strings.Fields(strings.ToLower(u.Name + " " + u.LastName + " " + u.Position))
	for _, w := range words {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, w) }) {
			return false
		}
	}
	return true
}

func userMatches(u *User, f params) bool {
	if f.has("ID") {
		ok := false
		for _, v := range asList(mustLookup(f, "ID")) {
			if scalarString(v) == itoa(u.ID) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if f.has("ACTIVE") && truthy(mustLookup(f, "ACTIVE")) != u.Active {
		return false
	}
	if f.has("UF_PHONE_INNER") && f.str("UF_PHONE_INNER") != u.PhoneInner {
		return false
	}
	if f.has("IS_ONLINE") && truthy(mustLookup(f, "IS_ONLINE")) != u.Online {
		return false
	}
	if f.has("USER_TYPE") && f.str("USER_TYPE") != "employee" {
		return false
	}
	for key, val := range map[string]string{"NAME": u.Name, "LAST_NAME": u.LastName, "EMAIL": u.Email} {
		if f.has(key) && !strings.EqualFold(f.str(key), val) {
			return false
		}
	}
	return true
}

func mustLookup(m map[string]any, key string) any {
	v, _ := lookup(m, key)
	return v
}

// page cuts a list into Bitrix24's pages of 50 (docs/bitrix24.md §4.3).
func page(rows []any, ps params) (*result, *apiError) {
	start, _ := ps.int("start")
	total := len(rows)
	if start < 0 {
		start = 0
	}
	if rows == nil {
		rows = []any{}
	}
	if int(start) > len(rows) {
		start = int64(len(rows))
	}
	end := int(start) + 50
	if end > len(rows) {
		end = len(rows)
	}
	r := &result{value: rows[start:end], total: &total}
	if end < len(rows) {
		next := end
		r.next = &next
	}
	return r, nil
}

// im.user.get (docs/bitrix24.md §8.2): ID, default the caller.
func imUserGet(c *call) (*result, *apiError) {
	id, ok := c.params.int("ID")
	if !ok {
		id = c.c.userID
	}
	u := c.p.users[id]
	if u == nil {
		return nil, errArg("USER_NOT_EXISTS", "User not exists")
	}
	now := c.p.nowLocked()
	status := "offline"
	if u.Online {
		status = "online"
	}
	var absent any = false
	if !u.AbsentUntil.IsZero() && now.Before(u.AbsentUntil) {
		absent = c.p.dateLocked(u.AbsentUntil)
	}
	phones := map[string]any{}
	if u.WorkPhone != "" {
		phones["work_phone"] = u.WorkPhone
	}
	if u.PersonalMobile != "" {
		phones["personal_mobile"] = u.PersonalMobile
	}
	if u.PhoneInner != "" {
		phones["inner_phone"] = u.PhoneInner
	}
	var phonesV any = phones
	if len(phones) == 0 {
		phonesV = false
	}
	return &result{value: map[string]any{
		"id": u.ID, "active": u.Active, "name": strings.TrimSpace(u.Name + " " + u.LastName),
		"first_name": u.Name, "last_name": u.LastName, "work_position": "", "color": "#df532d",
		"avatar": "", "gender": "M", "birthday": "", "extranet": false, "network": false, "bot": false,
		"connector": false, "external_auth_id": "default", "status": status, "idle": false,
		"last_activity_date": c.p.dateLocked(now.Add(-5 * time.Minute)), "mobile_last_date": false,
		"desktop_last_date": false, "absent": absent, "departments": []int{1}, "phones": phonesV,
	}}, nil
}

// timeman.status (docs/bitrix24.md §8.2): USER_ID, default the caller. An unknown
// user is an error with an empty code.
func timemanStatus(c *call) (*result, *apiError) {
	id, ok := c.params.int("USER_ID")
	if !ok {
		id = c.c.userID
	}
	u := c.p.users[id]
	if u == nil || !u.Active {
		return nil, &apiError{http.StatusBadRequest, "", "User not found"}
	}
	now := c.p.nowLocked()
	st := u.Timeman
	if st == "" {
		st = "CLOSED"
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, now.Location())
	res := map[string]any{
		"STATUS": st, "TIME_START": c.p.dateLocked(day), "TIME_FINISH": nil, "DURATION": "00:00:00",
		"TIME_LEAKS": "00:00:00", "ACTIVE": st != "CLOSED", "IP_OPEN": "", "IP_CLOSE": "", "LAT_OPEN": 0,
		"LON_OPEN": 0, "LAT_CLOSE": 0, "LON_CLOSE": 0, "TZ_OFFSET": 10800,
	}
	if st == "CLOSED" {
		res["TIME_FINISH"] = c.p.dateLocked(day.Add(8 * time.Hour))
	}
	return &result{value: res}, nil
}

var entityTypeIDs = map[int64]string{1: "LEAD", 2: "DEAL", 3: "CONTACT", 4: "COMPANY"}

// crm.item.get (docs/bitrix24.md §8.1): entityTypeId and id → {"item": {...}} with
// camelCase keys and integer ids.
func crmItemGet(c *call) (*result, *apiError) {
	tid, _ := c.params.int("entityTypeId")
	id, _ := c.params.int("id")
	typ := entityTypeIDs[tid]
	e := c.p.entities[entityKey(typ, id)]
	if typ == "" || e == nil {
		return nil, errArg("NOT_FOUND", "Element not found")
	}
	item := map[string]any{
		"id": e.ID, "title": e.Title, "assignedById": e.AssignedByID, "createdBy": 1, "updatedBy": 1,
		"createdTime": c.p.dateLocked(c.p.nowLocked().AddDate(0, 0, -3)), "opened": "Y",
	}
	if e.Name != "" || e.LastName != "" {
		item["name"], item["lastName"] = e.Name, e.LastName
	}
	if e.Type == "DEAL" || e.Type == "CONTACT" {
		item["companyId"] = e.CompanyID
	}
	if e.Type == "DEAL" {
		item["contactId"] = e.ContactID
		item["stageSemanticId"] = "P"
	}
	return &result{value: map[string]any{"item": item}}, nil
}

// crm.lead.get, crm.contact.get, crm.company.get, crm.deal.get (legacy):
// id → the entity with upper-case keys and string ids.
func crmLegacyGet(typ string) func(c *call) (*result, *apiError) {
	return func(c *call) (*result, *apiError) {
		id, ok := c.params.int("id")
		if !ok || id <= 0 {
			return nil, &apiError{http.StatusBadRequest, "", "ID is not defined or invalid."}
		}
		e := c.p.entities[entityKey(typ, id)]
		if e == nil {
			return nil, &apiError{http.StatusBadRequest, "", "Not found"}
		}
		m := map[string]any{"ID": itoa(e.ID), "ASSIGNED_BY_ID": itoa(e.AssignedByID), "DATE_CREATE": c.p.dateLocked(c.p.nowLocked().AddDate(0, 0, -3))}
		if e.Title != "" {
			m["TITLE"] = e.Title
		}
		if typ == "CONTACT" || typ == "LEAD" {
			m["NAME"], m["LAST_NAME"] = e.Name, e.LastName
		}
		if typ == "DEAL" {
			m["CONTACT_ID"], m["COMPANY_ID"], m["STAGE_SEMANTIC_ID"] = itoa(e.ContactID), itoa(e.CompanyID), "P"
		}
		if typ != "DEAL" {
			var phones []any
			for i, ph := range e.Phones {
				phones = append(phones, map[string]any{"ID": itoa(int64(i + 1)), "VALUE_TYPE": "WORK", "VALUE": ph, "TYPE_ID": "PHONE"})
			}
			m["HAS_PHONE"] = "N"
			if len(phones) > 0 {
				m["PHONE"], m["HAS_PHONE"] = phones, "Y"
			}
		}
		return &result{value: m}, nil
	}
}

// Comment is a CRM timeline comment (crm.timeline.comment.add).
type Comment struct {
	ID         int64
	EntityType string // lower case: lead, contact, company, deal
	EntityID   int64
	Comment    string
	AuthorID   int64
	Created    time.Time
}

// Comments returns the timeline comments added so far.
func (p *Portal) Comments() []Comment {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Comment, 0, len(p.comments))
	for _, c := range p.comments {
		out = append(out, *c)
	}
	return out
}

// crm.timeline.comment.add (docs/bitrix24.md §8.3): the key must be lower-case
// "fields" (crm 23.100.0 and later).
func crmTimelineCommentAdd(c *call) (*result, *apiError) {
	f, ok := c.params["fields"].(map[string]any)
	if !ok {
		return nil, errArg("ERROR_ARGUMENT", "Parameter 'fields' is required")
	}
	fields := params(f)
	typ := fields.str("ENTITY_TYPE")
	id, _ := fields.int("ENTITY_ID")
	text := fields.str("COMMENT")
	if typ == "" || id <= 0 || text == "" {
		return nil, errArg("ERROR_ARGUMENT", "ENTITY_ID, ENTITY_TYPE and COMMENT are required")
	}
	if typ != strings.ToLower(typ) || (!strings.HasPrefix(typ, "dynamic_") && c.p.entities[entityKey(typ, id)] == nil) {
		return nil, errArg("NOT_FOUND", "Entity not found")
	}
	c.p.nextID++
	c.p.comments = append(c.p.comments, &Comment{ID: c.p.nextID, EntityType: typ, EntityID: id, Comment: text, AuthorID: c.c.userID, Created: c.p.nowLocked()})
	return &result{value: c.p.nextID}, nil
}

// Todo is a CRM to-do activity (crm.activity.todo.add).
type Todo struct {
	ID            int64
	OwnerTypeID   int64
	OwnerID       int64
	Deadline      string
	Title         string
	Description   string
	ResponsibleID int64
	Created       time.Time
}

// Todos returns the to-do activities added so far.
func (p *Portal) Todos() []Todo {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Todo, 0, len(p.todos))
	for _, t := range p.todos {
		out = append(out, *t)
	}
	return out
}

// crm.activity.todo.add (docs/bitrix24.md §8.3) → {"id": n}.
func crmActivityTodoAdd(c *call) (*result, *apiError) {
	ot, _ := c.params.int("ownerTypeId")
	oid, _ := c.params.int("ownerId")
	dl := c.params.str("deadline")
	if ot == 0 || oid == 0 || dl == "" {
		return nil, errArg("ERROR_ARGUMENT", "ownerTypeId, ownerId and deadline are required")
	}
	typ := entityTypeIDs[ot]
	if typ == "" || c.p.entities[entityKey(typ, oid)] == nil {
		return nil, errArg("NOT_FOUND", "Owner not found")
	}
	if _, err := parseBXTime(dl); err != nil {
		return nil, errArg("ERROR_ARGUMENT", "deadline is not a valid date")
	}
	resp, ok := c.params.int("responsibleId")
	if !ok {
		resp = c.p.entities[entityKey(typ, oid)].AssignedByID
	}
	c.p.nextID++
	c.p.todos = append(c.p.todos, &Todo{ID: c.p.nextID, OwnerTypeID: ot, OwnerID: oid, Deadline: dl,
		Title: c.params.str("title"), Description: c.params.str("description"), ResponsibleID: resp, Created: c.p.nowLocked()})
	return &result{value: map[string]any{"id": c.p.nextID}}, nil
}

func parseBXTime(s string) (time.Time, error) {
	var err error
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "02.01.2006 15:04:05", "2006-01-02"} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// Notification is a system notification (im.notify.system.add).
type Notification struct {
	ID         int64
	UserID     int64
	Message    string
	MessageOut string
	Tag        string
	SubTag     string
	Replaced   bool // a later notification with the same TAG replaced it
	Created    time.Time
}

// Notifications returns the notifications sent so far.
func (p *Portal) Notifications() []Notification {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Notification, 0, len(p.notifications))
	for _, n := range p.notifications {
		out = append(out, *n)
	}
	return out
}

// im.notify.system.add (docs/bitrix24.md §8.3) → the notification id.
func imNotifySystemAdd(c *call) (*result, *apiError) {
	uid, ok := c.params.int("USER_ID")
	if !ok || uid <= 0 {
		return nil, errArg("USER_ID_EMPTY", "Recipient ID not specified")
	}
	msg := c.params.str("MESSAGE")
	if msg == "" {
		return nil, errArg("MESSAGE_EMPTY", "Message text not specified")
	}
	if v, ok := lookup(c.params, "ATTACH"); ok && len(jsonString(v)) > 60000 {
		return nil, errArg("ATTACH_OVERSIZE", "You have exceeded the maximum allowable size of attachments")
	}
	if c.p.users[uid] == nil {
		return &result{value: false}, nil
	}
	tag := c.params.str("TAG")
	if tag != "" {
		for _, n := range c.p.notifications {
			if n.Tag == tag {
				n.Replaced = true
			}
		}
	}
	c.p.nextID++
	c.p.notifications = append(c.p.notifications, &Notification{ID: c.p.nextID, UserID: uid, Message: msg,
		MessageOut: c.params.str("MESSAGE_OUT"), Tag: tag, SubTag: c.params.str("SUB_TAG"), Created: c.p.nowLocked()})
	return &result{value: c.p.nextID}, nil
}
