"""Hostile inputs Docket must refuse cleanly or take whole: case files, emails, archives, paths.

Each corpus is a list of ``(name, input, expected)`` built by a function, so that large inputs
are made when a test asks for them rather than kept as files in the repository."""
