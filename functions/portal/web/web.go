// Package web holds the browser app the portal function serves: index.html,
// the app's ES modules and styles under app/, the blanket UI hints under
// app/blankets/, and Det Fælles Designsystem copied unchanged from npm under
// vendor/dkfds (refreshed by ../vendor.sh, never fetched at run time).
package web

import "embed"

// FS is the whole app.
//
//go:embed index.html app vendor
var FS embed.FS
