package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// row is one voice of one language: its word error rate heard each way.
type row struct {
	lang, voice string
	by          string // what spoke it (engine auto), "" if not known
	phone       tally
	native      tally
	nativeRate  int
}

// score reads the manifest and the transcripts and writes the report: a
// Markdown table of word error rates, then every transcript that is not
// word for word the text.
func score(w io.Writer, dir string) error {
	if dir == "" {
		return errDir
	}
	var m manifest
	var heard map[string]string
	if err := readJSON(filepath.Join(dir, "manifest.json"), &m); err != nil {
		return err
	}
	if err := readJSON(filepath.Join(dir, "transcripts.json"), &heard); err != nil {
		return fmt.Errorf("%w (run node bench/speech/transcribe.mjs %s first)", err, dir)
	}
	rows, misses, err := tallies(m, heard)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Engine: %s. WER = word error rate (lower is better), Whisper small told the language.\n\n", m.Engine)
	fmt.Fprintln(w, "| language | voice | telephone: 8 kHz, µ-law | reference: engine's own rate |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range rows {
		ref := "–"
		if r.native.words > 0 {
			ref = fmt.Sprintf("%s (%d Hz)", percent(r.native), r.nativeRate)
		}
		voice := r.voice
		if r.by != "" {
			voice += " → " + r.by
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.lang, voice, percent(r.phone), ref)
	}
	if len(misses) > 0 {
		fmt.Fprintln(w, "\nHeard otherwise:")
		for _, s := range misses {
			fmt.Fprintln(w, s)
		}
	}
	return nil
}

// tallies sums the word error rate of every language and voice, in the
// order of languages, and lists the transcripts that differ from the text.
func tallies(m manifest, heard map[string]string) ([]*row, []string, error) {
	byKey := map[string]*row{}
	var rows []*row
	var misses []string
	for _, it := range m.Items {
		h, ok := heard[it.File]
		if !ok {
			return nil, nil, fmt.Errorf("no transcript of %s", it.File)
		}
		ref, err := reference(it)
		if err != nil {
			return nil, nil, err
		}
		k := it.Lang + "/" + it.Voice
		r := byKey[k]
		if r == nil {
			r = &row{lang: it.Lang, voice: it.Voice, by: it.By}
			byKey[k] = r
			rows = append(rows, r)
		}
		if it.Path == pathNative {
			r.native.add(it.Lang, ref, h)
			r.nativeRate = it.Rate
		} else {
			r.phone.add(it.Lang, ref, h)
		}
		if edits(words(it.Lang, ref), words(it.Lang, h)) > 0 {
			misses = append(misses, fmt.Sprintf("- %s: %q", it.File, h))
		}
	}
	slices.SortStableFunc(rows, func(a, b *row) int {
		return slices.Index(languages, a.lang) - slices.Index(languages, b.lang)
	})
	return rows, misses, nil
}

// reference is the texts of an item joined, as they were spoken.
func reference(it item) (string, error) {
	var parts []string
	for _, i := range it.Texts {
		if i < 0 || i >= len(texts) || texts[i].lang != it.Lang {
			return "", fmt.Errorf("%s: text %d is not a %s text of this benchmark", it.File, i, it.Lang)
		}
		parts = append(parts, texts[i].say)
	}
	return strings.Join(parts, " "), nil
}

func percent(t tally) string { return fmt.Sprintf("%.0f %%", 100*t.rate()) }

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
