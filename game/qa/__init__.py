"""QA playtesting tools: scripted scenarios, record and replay, bug bundles (see docs/qa.md)."""
