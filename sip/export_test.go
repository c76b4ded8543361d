package sip

// SetLookup makes d resolve the hosts of the portals' own trunks with l
// (tests: a name that changes what it resolves to).
func SetLookup(d *Dialer, l Lookup) { d.lookup = l }
