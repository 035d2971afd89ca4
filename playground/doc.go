// Package playground serves the browser playgrounds of a LangServe route:
// the default playground (forms generated from the runnable's schemas,
// streaming output, intermediate steps, share links and code snippets) and
// the chat playground.
//
// The apps are plain JavaScript ES modules and CSS embedded in the binary,
// with no build step: what is in web/ is what the browser runs. They speak
// only the public LangServe protocol (input_schema, config_schema,
// output_schema, stream_log, feedback), so they work against any
// LangServe-compatible server, not just this module's.
//
// # Mounting
//
// The serve package mounts [Handler] at "<path>/playground/" and
// "<path>/c/{config_hash}/playground/" for each route. The handler does
// not need to know either prefix: it serves the file named after the last
// "/playground/" of the request path, and the page finds the API by
// stripping "/playground/…" and "/c/<hash>" from its own URL. Under a
// reverse proxy that adds a path prefix, everything keeps working.
//
// # Caching and security
//
// index.html is revalidated on every load (Cache-Control: no-cache) and
// refers to the scripts and styles by content-hashed names, which are
// cached for a year as immutable. The page runs under a strict
// Content-Security-Policy: no inline scripts or styles, no other origins.
// The handler's options reach the page through <meta> tags.
package playground
