package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// testDoubles are the packages that stand in for Bitrix24, phones and
// speech in tests and in the demo.
var testDoubles = []string{"bitrix24test", "siptest", "speechtest", "storetest", "httpstest"}

// TestNoTestDoublesInBinary: the production binary (built without the tag
// demo) links no test double; the demo's binary does.
func TestNoTestDoublesInBinary(t *testing.T) {
	deps := func(tags ...string) []string {
		args := append([]string{"list"}, tags...)
		out, err := exec.Command("go", append(args, "-deps", ".")...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("go list: %v\n%s", err, ee.Stderr)
			}
			t.Fatalf("go list: %v", err)
		}
		return strings.Fields(string(out))
	}
	linked := func(pkgs []string) (found []string) {
		for _, p := range pkgs {
			for _, d := range testDoubles {
				if strings.HasSuffix(p, "/"+d) {
					found = append(found, p)
				}
			}
		}
		return found
	}
	if found := linked(deps()); len(found) > 0 {
		t.Errorf("the production binary links test doubles: %v", found)
	}
	if found := linked(deps("-tags", "demo")); len(found) == 0 {
		t.Error("the demo binary (tag demo) links no test double: is the check looking at the right packages?")
	}
}
