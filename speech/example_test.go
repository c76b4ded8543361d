package speech_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/callbackline/callbackline/speech"
)

// The dialer asks the cache for the announcement while the employee's
// phone rings, then plays the file with diago's PlayFile. A repeated text
// is served from the cache; without a working engine it gets a beep and
// the reason.
func ExampleCache_Announce() {
	dir, err := os.MkdirTemp("", "speech-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cache, err := speech.NewCache(&speech.Espeak{}, dir)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	text := "Callback request from the website. Herr Müller asks about the annual plan."
	a, err := cache.Announce(ctx, speech.Script{Text: text, Voice: "deinternalfemale"}) // VOICE of ONEXTERNALCALLBACKSTART
	if err != nil {
		log.Fatal(err)
	}
	if !a.Speech {
		// e.g. "speech (espeak-ng): program "espeak-ng" not found: install the Debian package espeak-ng"
		log.Printf("announcement is a beep (%s): %v", speech.ReasonOf(a.Err), a.Err)
	}
	f, err := os.Open(a.Path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	audio, err := speech.ReadWAV(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d Hz mono 16-bit, %v of audio\n", audio.Rate, audio.Duration() > 0)

	again, _ := cache.Announce(ctx, speech.Script{Text: text, Voice: "deinternalfemale"})
	fmt.Println("second request served from the same file:", again.Path == a.Path)
	// Output:
	// 8000 Hz mono 16-bit, true of audio
	// second request served from the same file: true
}

func ExampleVoiceFor() {
	for _, id := range []string{"eurgermanfemale", "deinternalfemale", "ruinternalmale", "internalfemale", ""} {
		v := speech.VoiceFor(id)
		fmt.Printf("%q: %s %s (espeak-ng -v %s)\n", id, v.Language, v.Gender, (&speech.Espeak{}).VoiceName(v))
	}
	// Output:
	// "eurgermanfemale": de female (espeak-ng -v de+f3)
	// "deinternalfemale": de female (espeak-ng -v de+f3)
	// "ruinternalmale": ru male (espeak-ng -v ru)
	// "internalfemale": en-us female (espeak-ng -v en-us+f3)
	// "": en-us male (espeak-ng -v en-us)
}
