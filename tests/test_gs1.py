"""Vial barcodes (GS1): check digits worked by hand, dates by the General Specifications' rules,
scans with and without the group separator, and every bad scan refused in one line."""
from datetime import date

import pytest

from titration.errors import InputError
from titration.gs1 import check_digit, expiry_date, gtin14, parse_scan

GS = "\x1d"
TODAY = date(2026, 12, 1)
# Privigen 10 g, NDC 44206-437-10 -> 0 03 4420643710 ?; by hand, from the right of 0034420643710:
# digits 0,1,7,3,4,6,0,2,4,4,3,0,0 weighted 3,1,3,...: 0+1+21+3+12+6+0+2+12+4+9+0+0 = 70 -> check digit 0
PRIVIGEN_10G = "00344206437100"


def test_check_digit_by_hand():
    assert check_digit(PRIVIGEN_10G[:-1]) == 0
    assert check_digit("0034420643605") == 9  # 5-g pack: 15+0+18+3+12+6+0+2+12+4+9+0+0 = 81 -> 9
    assert gtin14("4006381333931") == "04006381333931"  # a GTIN-13 (EAN) widened to 14 digits


@pytest.mark.parametrize("bad", ["00344206437101", "0034420643710", "0034420643710X", ""])
def test_bad_gtins_are_refused(bad):
    with pytest.raises(InputError) as e:
        gtin14(bad)
    assert e.value.field == "gtin"


def test_day_00_is_the_last_day_of_the_month_leap_years_included():
    assert expiry_date("130200", TODAY) == date(2013, 2, 28)
    assert expiry_date("160200", TODAY) == date(2016, 2, 29)
    assert expiry_date("271100", TODAY) == date(2027, 11, 30)
    with pytest.raises(InputError):
        expiry_date("270230", TODAY)  # 30 February
    with pytest.raises(InputError):
        expiry_date("271300", TODAY)


def test_the_century_is_within_49_years_before_and_50_after_today():
    assert expiry_date("760101", TODAY).year == 2076  # +50
    assert expiry_date("770101", TODAY).year == 1977  # +51 would be too far ahead
    assert expiry_date("770101", date(2027, 1, 1)).year == 2077


def test_a_scan_with_group_separators_and_symbology_identifier():
    s = parse_scan(f"]d201{PRIVIGEN_10G}17290630" + f"10P100234A{GS}21SN000101", TODAY)
    assert (s.gtin, s.expiry, s.lot, s.serial) == (PRIVIGEN_10G, date(2029, 6, 30), "P100234A", "SN000101")


def test_a_scan_without_separator_reads_when_only_the_last_field_varies():
    s = parse_scan(f"01{PRIVIGEN_10G}1729063010P100234A", TODAY)
    assert (s.lot, s.serial, s.expiry) == ("P100234A", None, date(2029, 6, 30))


def test_the_bracketed_human_readable_form():
    s = parse_scan(f"(01){PRIVIGEN_10G}(17)290600(10)P-1/2", TODAY)
    assert (s.expiry, s.lot) == (date(2029, 6, 30), "P-1/2")


def test_lot_and_serial_run_together_without_separator_is_refused():
    with pytest.raises(InputError) as e:
        parse_scan(f"01{PRIVIGEN_10G}1729063010P100234A21SN000101", TODAY)
    assert "type the lot" in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("scan", [f"01{PRIVIGEN_10G[:-1]}1", "10ABC", f"01{PRIVIGEN_10G}17291331", "hello",
                                  f"01{PRIVIGEN_10G}\x0710A", "x" * 300])
def test_bad_scans_are_refused_in_one_line(scan):
    with pytest.raises(InputError) as e:
        parse_scan(scan, TODAY)
    assert "\n" not in str(e.value)
