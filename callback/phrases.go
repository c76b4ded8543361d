package callback

import "github.com/callbackline/callbackline/words"

// Phrases are the sentences callbackline itself says to the employee
// before the client is dialled.
type Phrases struct {
	// NoText is the announcement of a request whose form sent no TEXT.
	NoText string
	// Accept follows the text when the line's policy requires the
	// employee to press 1 (require_accept); 2 declines.
	Accept string
	// Recorded is what the client hears when they answer on a line with
	// record_notice: the call is recorded.
	Recorded string
}

// EnglishPhrases are the phrases of a portal whose language has none.
var EnglishPhrases = Phrases{
	NoText:   "Callback request from the website. Connecting you with the client.",
	Accept:   "Press 1 to connect, or 2 to decline.",
	Recorded: "This call is recorded.",
}

// PortalPhrases are the phrases in a language (Bitrix24's language id or
// an ISO code) from package words: what Config.Phrases is in the service.
func PortalPhrases(lang string) Phrases {
	return Phrases{NoText: words.NoText(lang), Accept: words.PressOne(lang), Recorded: words.Recorded(lang)}
}
