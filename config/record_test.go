package config

import "testing"

// TestLineRecord: lines[].record: false turns the line's recordings off;
// left out or true keeps them; a value that is no boolean names the key.
func TestLineRecord(t *testing.T) {
	cfg := Default()
	lines, err := cfg.PortalLinesFor("m1", "- number: quiet\n  record: false\n- number: loud\n  record: true\n- number: plain\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !lines[0].NoRecord || lines[1].NoRecord || lines[2].NoRecord {
		t.Errorf("NoRecord: %v %v %v, want true false false", lines[0].NoRecord, lines[1].NoRecord, lines[2].NoRecord)
	}
	if _, err := cfg.PortalLinesFor("m1", "- number: odd\n  record: sometimes\n", nil); err == nil {
		t.Error("record: sometimes was accepted")
	}
}
