package config

// VerifyAuthoritative is the value of a record's verify option that asks the
// zone's authoritative servers directly instead of an httpdns section; no
// httpdns section may take this name.
const VerifyAuthoritative = "authoritative"
