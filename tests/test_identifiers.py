"""Check digits of ISO 6346 container numbers and IMO numbers; the shape of UN/LOCODEs.

The good numbers were checked by hand against the standards (letter values A=10, B=12 … skipping
11, 22 and 33; weights 2^position; sum mod 11 mod 10), not with the code under test.
"""
from __future__ import annotations

import pytest

from app.identifiers import container_check_digit, is_valid_container, is_valid_imo, is_valid_locode


@pytest.mark.parametrize("number", [
    "CSQU3054383",  # the example of ISO 6346 itself
    "MSCU1234566",
    "ZIMU1234569",  # Z=38, I=19: letter values past the skipped 33 and 22
    "MAEU1000050",  # sum mod 11 is 10: the check digit is 0
])
def test_valid_container_numbers(number):
    assert is_valid_container(number)


@pytest.mark.parametrize("number", [
    "CSQU3054384",  # wrong check digit
    "MSCU1234567",
    "ZIMU1234568",
    "MAEU1000051",  # remainder 10 must not be read as 1
    "csqu3054383",  # lower case
    "CSQ U3054383",
    "CSQU 305438 3",
    "CSQA3054383",  # category letter must be U, J or Z
    "CSQU305438",  # too short
    "CSQU30543833",  # too long
    "C5QU3054383",  # digit in the owner code
    "",
])
def test_invalid_container_numbers(number):
    assert not is_valid_container(number)


def test_every_wrong_check_digit_is_refused():
    for digit in "0123456789":
        assert is_valid_container("CSQU305438" + digit) is (digit == "3")


def test_container_check_digit():
    assert container_check_digit("CSQU305438") == 3
    assert container_check_digit("MAEU100005") == 0


@pytest.mark.parametrize("number,valid", [
    ("9321483", True),  # 9*7+3*6+2*5+1*4+4*3+8*2 = 123
    ("9074729", True),  # 139
    ("IMO 9321483", True),
    ("IMO9321483", True),
    ("9321484", False),
    ("9321482", False),
    ("1234568", False),
    ("932148", False),
    ("93214830", False),
    ("93214A3", False),
    ("", False),
])
def test_imo_numbers(number, valid):
    assert is_valid_imo(number) is valid


@pytest.mark.parametrize("code,valid", [
    ("JMKIN", True), ("KYGEC", True), ("PAMIT", True), ("CWWIL", True), ("USNY2", True),
    ("JMKI", False), ("JMKING", False), ("jmkin", False), ("JM KIN", False), ("JMKI1", False),
    ("JMKI0", False), ("1MKIN", False), ("", False),
])
def test_locode_shape(code, valid):
    assert is_valid_locode(code) is valid
