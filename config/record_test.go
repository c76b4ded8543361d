package config

import (
	"strings"
	"testing"
)

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

// TestLineRecordNotice: record_notice is read, and refused (naming the
// key) with record: false or on a bitrix24 line.
func TestLineRecordNotice(t *testing.T) {
	cfg := Default()
	lines, err := cfg.PortalLinesFor("m1", "- number: told\n  record_notice: true\n- number: plain\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !lines[0].RecordNotice || lines[1].RecordNotice {
		t.Errorf("RecordNotice: %v %v", lines[0].RecordNotice, lines[1].RecordNotice)
	}
	for _, text := range []string{
		"- number: odd\n  record: false\n  record_notice: true\n",
		"- number: odd\n  dialer: bitrix24\n  from_line: reg1\n  record_notice: true\n",
	} {
		_, err := cfg.PortalLinesFor("m1", text, nil)
		if err == nil || !strings.Contains(err.Error(), "record_notice") {
			t.Errorf("%q: %v", text, err)
		}
	}
}
