package providers

// Blind is implemented by providers whose List cannot read the far end:
// a webhook only ever sends. For them a record's cached state (what eddns
// last published) is the best knowledge there is, so a full check does
// not discard it and send again.
type Blind interface {
	// Blind reports whether List only echoes what this process sent.
	Blind() bool
}

// IsBlind reports whether p cannot read its records back.
func IsBlind(p Provider) bool {
	b, ok := p.(Blind)
	return ok && b.Blind()
}
