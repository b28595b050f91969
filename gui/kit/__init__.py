"""Small parts every screen uses: workers, icons, formatting, table models."""
