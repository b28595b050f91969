"""Money as Decimal with an ISO 4217 currency; never float."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from importlib.resources import files

from core.domain.errors import ValidationError
from core.i18n import _, ngettext

COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK",
                     "PLN", "CZK", "JPY", "INR", "ZAR", "ILS", "CNY"]
# Amounts have at most this many digits before the decimal point (a quintillion less one):
# far beyond any dispute, and small enough that no amount can grow a store or a report.
MAX_INTEGER_DIGITS = 18
# Digits, one optional decimal point, digits: no sign, exponent, spaces or other scripts' digits.
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+", re.ASCII)


@functools.cache
def minor_units() -> dict[str, int]:
    """ISO 4217: every currency code Docket knows, with the digits after its decimal point
    (``resources/currencies/iso4217.json``)."""
    text = (files("resources") / "currencies" / "iso4217.json").read_text(encoding="utf-8")
    return {str(k): int(v) for k, v in json.loads(text)["minor_units"].items()}


def check_currency(code: str, where: str = "currency") -> str:
    """Return the upper-cased ISO 4217 code or raise."""
    if not isinstance(code, str) or len(code.strip()) != 3 or not code.strip().isascii() or not code.strip().isalpha():
        raise ValidationError(where, _("expected a three-letter ISO 4217 currency code, got {value!r}").format(value=str(code)[:40]))
    upper = code.strip().upper()
    if upper not in minor_units():
        raise ValidationError(where, _("{code} is not an ISO 4217 currency code").format(code=upper))
    return upper


def parse_amount(text: str | Decimal | int, where: str = "amount", currency: str | None = None) -> Decimal:
    """Parse a decimal amount written with a dot (``129.00``); floats are refused.

    An amount has at most 18 digits before the point and, when ``currency`` is given, no more
    digits after it than the currency has (two for EUR, none for JPY, three for KWD); without
    a currency, at most four. Signs, exponents (``1e-9``), spaces inside (``12 34``) and
    negative zero are refused.
    """
    if isinstance(text, (bool, float)):
        raise ValidationError(where, _("amounts are written as text such as \"129.00\", not as a float"))
    if isinstance(text, (Decimal, int)):
        value = Decimal(text)
        if not value.is_finite():
            raise ValidationError(where, _("expected a finite amount, got {text!r}").format(text=text))
        if value.is_signed():
            raise ValidationError(where, _("an amount cannot be negative"))
    elif isinstance(text, str):
        cleaned = text.strip()
        if len(cleaned) > 64 or not _AMOUNT.fullmatch(cleaned):
            if cleaned.startswith("-") and _AMOUNT.fullmatch(cleaned[1:]):
                raise ValidationError(where, _("an amount cannot be negative"))
            raise ValidationError(where, _("expected an amount such as 129.00, got {text!r} (digits and a dot only)").format(text=text[:40]))
        value = Decimal(cleaned)
    else:
        raise ValidationError(where, _("expected an amount such as 129.00, got {kind}").format(kind=type(text).__name__))
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if value.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValidationError(where, _("that amount is too large (at most {n} digits before the point)").format(n=MAX_INTEGER_DIGITS))
    allowed = minor_units().get(currency, 2) if currency else 4
    if exponent < -allowed and value != value.quantize(Decimal(1).scaleb(-allowed), rounding=ROUND_DOWN):
        if currency:
            message = ngettext("{currency} has at most {n} digit after the point, got {value!r}",
                               "{currency} has at most {n} digits after the point, got {value!r}", allowed)
        else:
            message = ngettext("amounts have at most {n} digit after the point, got {value!r}",
                               "amounts have at most {n} digits after the point, got {value!r}", allowed)
        raise ValidationError(where, message.format(currency=currency, n=allowed, value=str(text)[:40]))

    if exponent < -allowed:
        value = value.quantize(Decimal(1).scaleb(-allowed))  # 12.500 EUR is 12.50 EUR
    return value


@dataclass(frozen=True, slots=True)
class Money:
    value: Decimal
    currency: str

    @classmethod
    def of(cls, value: str | Decimal | int, currency: str, where: str = "amount") -> Money:
        code = check_currency(currency, f"{where}.currency")
        return cls(parse_amount(value, f"{where}.value", code), code)

    def quantized(self) -> Decimal:
        exp = minor_units().get(self.currency, 2)
        return self.value.quantize(Decimal(1).scaleb(-exp))

    def __str__(self) -> str:
        return f"{self.currency} {self.quantized():,}"
