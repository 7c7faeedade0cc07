"""Takedowns: `palimpsest redact` removes a person's or an item's content from the archive.

`rules` (pure: what a redacted record becomes), `targets` (what a command names),
`apply` (rewriting the stored versions), `denylist` (the `redaction` rows every later
write honours), `takedown` (one command's run: transaction, WARC captures, vacuum).
docs/exports.md ("Takedowns") says what is removed and what is kept.
"""
