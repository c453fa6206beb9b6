"""Check digits of the identifiers carried by seizure reports: ISO 6346 containers, IMO numbers,
UN/LOCODEs (shape only)."""
from __future__ import annotations

import re

_CONTAINER_RE = re.compile(r"^[A-Z]{3}[UJZR]\d{7}$")
_LOCODE_RE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


def _iso6346_letter_value(letter: str) -> int:
    # A=10, skipping multiples of 11 (11, 22, 33).
    value = 10
    for code in range(ord("A"), ord(letter)):
        value += 1
        if value % 11 == 0:
            value += 1
    return value


def container_check_digit(first_ten: str) -> int:
    total = 0
    for position, char in enumerate(first_ten):
        value = int(char) if char.isdigit() else _iso6346_letter_value(char)
        total += value * (2 ** position)
    return total % 11 % 10


def is_valid_container(number: str) -> bool:
    """ISO 6346: owner code (3 letters), category (U/J/Z/R), 6-digit serial, check digit."""
    if not _CONTAINER_RE.match(number):
        return False
    return container_check_digit(number[:10]) == int(number[10])


def is_valid_imo(number: str) -> bool:
    """IMO ship number: 7 digits, the last the weighted sum (7..2) of the first six mod 10."""
    digits = number.removeprefix("IMO").strip()
    if not (len(digits) == 7 and digits.isdigit()):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1)))
    return total % 10 == int(digits[6])


def is_valid_locode(code: str) -> bool:
    return bool(_LOCODE_RE.match(code))
