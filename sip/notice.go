package sip

import (
	"errors"
	"time"
)

// errNoticeCut stops the notice when the client hangs up under it: the
// bridge then ends the call as the client's hang-up.
var errNoticeCut = errors.New("the client hung up during the notice")

// notice plays Plan.ClientNotice to the client who answered, before the
// bridge (so it is not in the recording). It returns nil when the two
// may be connected, else how the call ended; the client's leg is hung up
// then.
func (s *session) notice(emp, cli *leg) *ending {
	if s.p.ClientNotice == "" {
		return nil
	}
	src, err := openWAVSource(s.p.ClientNotice)
	if err != nil {
		cli.close(s.ctx)
		cli.info.Ended = time.Now()
		return failed(OutcomeFailed, asError(err))
	}
	defer src.Close()
	guard := func() error {
		if cli.hungUp() {
			return errNoticeCut
		}
		return s.alive(emp)
	}
	err = cli.play(s.ctx, src, guard)
	if errors.Is(err, errNoticeCut) {
		return nil
	}
	if err != nil {
		end := s.employeeLost(emp, err)
		cli.close(s.ctx)
		cli.info.Ended = time.Now()
		return end
	}
	return nil
}
