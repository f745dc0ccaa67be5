"""The checks of a new IBAN (SEPA zone, French RIB key) and telephone number, and the masking of
an IBAN once typed."""

from __future__ import annotations

import pytest
from stdnum import iban as stdnum_iban

from app.rules import situation as rules


def french_iban(bban: str) -> str:
    return f"FR{stdnum_iban.calc_check_digits('FR00' + bban)}{bban}"


def with_rib_key(bank: str, branch: str, account: str, account_value: int | None = None) -> str:
    """The BBAN with its RIB key (``account_value``: the account as digits, letters converted)."""
    value = int(account) if account_value is None else account_value
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * value) % 97
    return f"{bank}{branch}{account}{key:02d}"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
        ("fr7630006000011234567890189", "FR7630006000011234567890189"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
        (french_iban(with_rib_key("99001", "00044", "00000012345")), None),
    ],
)
def test_valid_ibans(typed, expected):
    assert rules.check_iban(typed) == (expected or typed)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", rules.IBAN_EMPTY),
        ("FR76 3000 6000 0112 3456 7890 188", rules.IBAN_CHECKSUM),
        ("FR76 3000 6000 0112 3456 7890 18", rules.IBAN_FRENCH_LENGTH),
        (french_iban("30006000011234567890188"), rules.IBAN_CHECKSUM),  # wrong RIB key
        ("US64 SVBK US6S 3300 9673 8637", rules.IBAN_NOT_SEPA),
        ("BR15 0000 0000 0000 1093 2840 814P 2", rules.IBAN_NOT_SEPA),
        ("12", rules.IBAN_INVALID),
    ],
)
def test_invalid_ibans(typed, message):
    with pytest.raises(rules.InvalidValue) as refused:
        rules.check_iban(typed)
    assert str(refused.value) == message


def test_rib_key_counts_letters_of_the_account_number():
    # Account "0000000A000": A counts as 1, like the account 00000001000.
    iban = french_iban(with_rib_key("30006", "00001", "0000000A000", account_value=1000))
    assert rules.check_iban(iban) == iban


def test_masked_iban_shows_the_last_four_only():
    assert rules.masked_iban("FR7630006000011234567890189") == "•••• 0189"
    assert rules.masked_iban(None) == "non renseigné"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("06 12 34 56 78", "0612345678"),
        ("0612345678", "0612345678"),
        ("01.23.45.67.89", "0123456789"),
        ("+33 6 12 34 56 78", "0612345678"),
        ("+33 (0)6 12 34 56 78", "0612345678"),
        ("0033 7 12 34 56 78", "0712345678"),
        ("+262 692 12 34 56", "0692123456"),
        ("+590 590 12 34 56", "0590123456"),
        ("09-87-65-43-21", "0987654321"),
    ],
)
def test_valid_phones(typed, expected):
    assert rules.normalize_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", rules.PHONE_EMPTY),
        ("06 12 34 56", rules.PHONE_INVALID),
        ("6 12 34 56 78", rules.PHONE_INVALID),
        ("+1 212 555 1234", rules.PHONE_INVALID),
        ("00 12 34 56 78", rules.PHONE_INVALID),
        ("08 99 12 34 56", rules.PHONE_SPECIAL),
        ("06 12 34 56 7a", rules.PHONE_INVALID),
    ],
)
def test_invalid_phones(typed, message):
    with pytest.raises(rules.InvalidValue) as refused:
        rules.normalize_phone(typed)
    assert str(refused.value) == message


def test_phone_display_and_kind():
    assert rules.format_phone("0612345678") == "06 12 34 56 78"
    assert rules.phone_kind("0712345678") == "mobile"
    assert rules.phone_kind("0240123456") == "fixe"
