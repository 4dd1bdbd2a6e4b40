package main

import (
	"strings"
	"testing"
)

func TestResultsDirsOfTheSameSecondDoNotCollide(t *testing.T) {
	root := t.TempDir()
	first, err := newResultsDir(root, "results-x")
	if err != nil {
		t.Fatal(err)
	}
	second, err := newResultsDir(root, "results-x")
	if err != nil {
		t.Fatal(err)
	}
	if first == second || !strings.HasSuffix(second, "results-x-2") {
		t.Errorf("%s, %s", first, second)
	}
}
