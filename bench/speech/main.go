// Command speech is the intelligibility benchmark of callbackline's
// announcements (make speech-bench): synth speaks a fixed set of callback
// texts in ten languages through the configured engine and the speech
// cache, exactly the 8 kHz WAV the employee's phone is played, passed once
// through G.711 µ-law as on the wire, and, as a reference, the same voice at
// the engine's own rate; transcribe.mjs transcribes them offline with
// Whisper small; score reports the word error rate per language and voice.
//
//	go run ./bench/speech synth -dir DIR [-config FILE] [-langs ru,de] [-native=false] [-default-voice]
//	node bench/speech/transcribe.mjs DIR
//	go run ./bench/speech score -dir DIR
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := fs.String("dir", "", "folder for the WAV files, manifest.json and transcripts.json")
	var err error
	switch os.Args[1] {
	case "synth":
		s := synth{}
		fs.StringVar(&s.config, "config", "", "callbackline configuration whose speech engine is measured (default: ./callbackline.yaml if any, else the defaults)")
		langs := fs.String("langs", "", "comma-separated languages (default all: ru,uk,en,de,pl,es,pt,fr,it,tr)")
		fs.BoolVar(&s.native, "native", true, "also write each voice at the engine's own rate (the reference row)")
		fs.BoolVar(&s.first, "default-voice", false, "only each language's default voice (what a portal of the language sends), not all its voices")
		_ = fs.Parse(os.Args[2:])
		if s.langs, err = pick(*langs); err == nil {
			err = s.run(ctx, *dir)
		}
	case "score":
		_ = fs.Parse(os.Args[2:])
		err = score(os.Stdout, *dir)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "speech bench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go run ./bench/speech synth|score -dir DIR (see make speech-bench)")
	os.Exit(2)
}

var errDir = errors.New("-dir is empty: name the folder for the benchmark's files")
