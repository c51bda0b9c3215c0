// Package auth verifies the OIDC access tokens that reach the public routes
// of every HTTP-facing function and turns them into a Principal: who is
// calling (a person through MitID / MitID Erhverv via a broker, or a machine
// client with client credentials), in which role, for which tenant (a CVR,
// a CPR, a municipality) and with which level of assurance.
//
// Tokens are verified with github.com/coreos/go-oidc/v3 against the issuer's
// discovery document and JWKS: issuer, audience ("nemrefusion"), expiry and
// RS256 signature. Require is the middleware for public routes; it answers
// 401 (problem JSON in Danish and English, with WWW-Authenticate) for a
// missing, expired, wrongly signed, wrong-audience or wrong-issuer token and
// 403 for a role it does not admit. Authorisation against the tenant of a
// resource belongs in each function, in one place (a small authorize
// function), using the Can* helpers of Principal; denials are appended to
// the ledger with DeniedEntry, reads of personal data with ReadEntry.
//
// The CloudEvent receiver at "/" (broker deliveries inside the cluster) is
// not a public route and is not wrapped.
//
// A Principal holds CPR numbers. Never log them: Principal implements
// slog.LogValuer and logs only role, subject and masked numbers.
package auth
