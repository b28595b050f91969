"""The escalation ladder: rule packs, the next step, reminders, calendar export."""
