package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTour(t *testing.T) {
	t.Parallel()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	h, err := newApp(priv, func() time.Time { return now })
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	var out bytes.Buffer
	if err := tour(&out, srv.URL, false); err != nil {
		t.Fatalf("tour: %v\n%s", err, out.String())
	}
	for _, want := range []string{"← 401", "← 200", "← 403", "Tour complete"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("tour output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunTour(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(false, "127.0.0.1:0", &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Errorf("colour codes written to a non-terminal")
	}
}
