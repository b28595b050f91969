"""The domain: models, money, time, the clock, errors."""
