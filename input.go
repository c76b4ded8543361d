package callbackline

// InputError is a problem with what a person entered on the application
// page, said so that the page can say it in its language: Code and Args
// are what words.PageProblem takes, Text is its English sentence (what
// the API, the command line and the log show).
type InputError struct {
	Code string
	Args []string
	Text string
}

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
)

// InputCodes are the codes above, for a test that each has words in
// every language of the page.
var InputCodes = []string{InputZone, InputNotCountry, InputCountryOutside, InputNoCountry,
	InputBlockedStar, InputBlockedChars, InputBlockedPlus, InputBlockedDigits, InputBlockedMany}
