package main

import (
	"math"
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		lang, in string
		want     []string
	}{
		{"ru", "Клиент оставил заявку, вопрос по оплате счёта.", []string{"клиент", "оставил", "заявку", "вопрос", "по", "оплате", "счета"}},
		{"uk", "Зв’язатися з нею — сьогодні!", []string{"звязатися", "з", "нею", "сьогодні"}},
		{"fr", "Madame Martin demande à être rappelée aujourd'hui.", []string{"madame", "martin", "demande", "à", "être", "rappelée", "aujourdhui"}},
		{"tr", "İstiyor, IŞIK", []string{"istiyor", "ışık"}},
		{"de", "Rückruf-Formular: Preis?", []string{"rückruf", "formular", "preis"}},
		{"en", "  ", nil},
	} {
		if got := words(c.lang, c.in); !slices.Equal(got, c.want) {
			t.Errorf("words(%s, %q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

func TestEdits(t *testing.T) {
	w := func(s string) []string { return words("en", s) }
	for _, c := range []struct {
		ref, hyp string
		want     int
	}{
		{"call the client back", "call the client back", 0},
		{"call the client back", "call a client back", 1},       // substitution
		{"call the client back", "call client back", 1},         // deletion
		{"call the client back", "call the new client back", 1}, // insertion
		{"call the client back", "", 4},
		{"", "noise", 1},
		{"a b c d", "b c d e", 2},
	} {
		if got := edits(w(c.ref), w(c.hyp)); got != c.want {
			t.Errorf("edits(%q, %q) = %d, want %d", c.ref, c.hyp, got, c.want)
		}
	}
}

func TestTally(t *testing.T) {
	var s tally
	s.add("ru", "Клиент просит перезвонить.", "клиент просит перезвонить")
	s.add("ru", "Вопрос по оплате счёта", "вопрос об оплате счета")
	if s.words != 7 || s.edits != 1 || math.Abs(s.rate()-1.0/7) > 1e-9 {
		t.Errorf("tally = %+v rate %.3f, want 1 edit in 7 words", s, s.rate())
	}
	if (tally{}).rate() != 0 {
		t.Error("an empty tally has a rate")
	}
}
