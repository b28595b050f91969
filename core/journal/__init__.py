"""The case journal's use cases and queries: cases, contacts, events, evidence, settings."""
