"""Data in and out: case files, emails, example cases."""
