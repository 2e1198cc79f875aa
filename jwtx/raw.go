package jwtx

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// RawClaims is the JSON payload of a verified token, byte for byte as it was
// signed. It is for claims the typed struct does not declare, in the manner
// of flask-jwt-extended's get_jwt(); typed code reads the claims struct.
type RawClaims []byte

// Map decodes the claims into a map. Numbers decode as json.Number, so large
// integers keep their exact value.
func (r RawClaims) Map() (map[string]any, error) {
	var m map[string]any
	if err := r.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// Decode decodes the claims into v, as json.Unmarshal does but with numbers
// as json.Number where v holds interface values.
func (r RawClaims) Decode(v any) error {
	d := json.NewDecoder(bytes.NewReader(r))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("jwtx: raw claims: %w", err)
	}
	return nil
}
