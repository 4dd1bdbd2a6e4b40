package cli

import (
	"testing"
	"time"
)

func TestChecks(t *testing.T) {
	if err := FirstError(NoArguments(nil), AtLeast("-n", 1, 1), Positive("-d", time.Second), HostPort("-addr", "127.0.0.1:80")); err != nil {
		t.Fatal(err)
	}
	bad := map[string]error{
		"argument": NoArguments([]string{"x"}),
		"below":    AtLeast("-n", 0, 1),
		"zero":     Positive("-d", 0),
		"negative": Positive("-d", -time.Second),
		"no port":  HostPort("-addr", "localhost"),
	}
	for name, err := range bad {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := FirstError(nil, AtLeast("-c", 0, 1), NoArguments([]string{"x"})); err == nil || err.Error() != "-c must be at least 1, not 0" {
		t.Errorf("first error %v", err)
	}
}
