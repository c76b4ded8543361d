package phone

import "testing"

// The intake normalises and checks every request: thousands a second.

func BenchmarkNormalize(b *testing.B) {
	for b.Loop() {
		if _, err := Normalize("8 (495) 123-45-67", "RU"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAccept(b *testing.B) {
	p := DefaultPolicy()
	for b.Loop() {
		if _, err := p.Accept("+7 (916) 123-45-67", "RU"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAcceptJunk(b *testing.B) {
	p := DefaultPolicy()
	for b.Loop() {
		if _, err := p.Accept("+7 495 123 45 67 звонить после 18", "RU"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	p := Policy{BlockedTypes: []string{PremiumRate, SharedCost, Unknown}, AllowedCountries: []string{"RU", "KZ"}}
	for b.Loop() {
		if err := p.Check("+74951234567"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMask(b *testing.B) {
	for b.Loop() {
		_ = Mask("+74951234567")
	}
}
