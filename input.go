package callbackline

import "fmt"

// InputError is a problem with what a person entered on the application
// page, said so that the page can say it in its language: Code and Args
// are what words.PageProblem takes, Text is its English sentence (what
// the API, the command line and the log show).
type InputError struct {
	Code string
	Args []string
	Text string
	// Key, when the problem is with one key of a portal's lines
	// ("lines[0].from_line"), names it; Text then begins with it.
	Key string
}

// Place returns the key the problem is with ("" for none) and where it
// was set (not known).
func (p *InputError) Place() (key, source string) { return p.Key, "" }

// Error returns the English sentence.
func (p *InputError) Error() string { return p.Text }

// Coded returns the problem's code and values.
func (p *InputError) Coded() (code string, args []string) { return p.Code, p.Args }

// The codes of InputErrors outside the configuration's (config.Code).
const (
	InputZone           = "unknown_time_zone"   // the name
	InputNotCountry     = "not_country"         // the codes
	InputCountryOutside = "country_not_allowed" // the codes, the service's
	InputNoCountry      = "no_country"          //
	InputBlockedStar    = "blocked_star"        // entry number, entry
	InputBlockedChars   = "blocked_chars"       // entry number, entry
	InputBlockedPlus    = "blocked_plus"        // entry number, entry
	InputBlockedDigits  = "blocked_digits"      // entry number, entry
	InputBlockedMany    = "blocked_too_many"    // count, most
	// A callback an administrator acts on by hand (Control) that the
	// action does not apply to.
	InputNoCallback      = "control_not_found"        // id
	InputClickToCall     = "control_click_to_call"    // id
	InputAlreadyNow      = "control_already_now"      // id, who asked
	InputNotPendingNow   = "control_not_pending_now"  // id
	InputNotPendingStop  = "control_not_pending_stop" // id
	InputNotFailed       = "control_not_failed"       // id
	InputRetryUninstall  = "retry_uninstalled"        //
	InputRetryNotAllowed = "retry_not_callable"       //
	InputRetryTooOld     = "retry_too_old"            // max_age
	// A line's from_line that the portal has not (the Bitrix24 dialer's
	// check against the portal).
	InputNoSuchLine = "no_such_line" // from_line, the portal's lines
	// The service has no way out for a portal's SIP calls at all.
	InputNoDialer = "no_dialer"
)

// InputCodes are the codes above, for a test that each has words in
// every language of the page.
var InputCodes = []string{InputZone, InputNotCountry, InputCountryOutside, InputNoCountry,
	InputBlockedStar, InputBlockedChars, InputBlockedPlus, InputBlockedDigits, InputBlockedMany,
	InputNoCallback, InputClickToCall, InputAlreadyNow, InputNotPendingNow, InputNotPendingStop, InputNotFailed,
	InputRetryUninstall, InputRetryNotAllowed, InputRetryTooOld, InputNoSuchLine, InputNoDialer}

// Refuse is an *Error of code whose cause is the InputError of input (with
// args) saying format's sentence: the message for the API and the log,
// the input's code for the page.
func Refuse(code, input string, args []string, format string, a ...any) *Error {
	text := fmt.Sprintf(format, a...)
	return WrapError(&InputError{Code: input, Args: args, Text: text}, code, "%s", text)
}
