package siptest

// CallsTo counts the calls the phone has seen to user (the Request-URI
// user), and how many of them it answered.
func (p *Phone) CallsTo(user string) (n, answered int) {
	for _, c := range p.Calls() {
		if c.User == user {
			n++
			if !c.Answered.IsZero() {
				answered++
			}
		}
	}
	return n, answered
}
