"""Beside the pump: named nurses, vials checked before use, premedication; all journaled, replayed
the same, and enforced by the core (not the screen)."""
from datetime import date

import pytest

from titration.bedside import add_vial, give_premedication, remove_vial, sign_in
from titration.errors import DataError, InputError, SessionError
from titration.nurses import DoubleCheck
from titration.plan import PlanRequest, build_plan
from titration.products import load_library
from titration.session import Session
from titration.unit_settings import load_unit_settings
from titration.vials import dose_words, typed_vial
from titration.vitals import Vitals

TODAY = date(2026, 12, 1)
PRIVIGEN_10G, PRIVIGEN_5G = "00344206437100", "00344206436059"
OTHER_GTIN = "04006381333931"  # a valid GTIN no product in the library lists


def privigen(weight=50.0, dose=0.5) -> Session:
    # Privigen PI, 50 kg x 0.5 g/kg = 25 g = 250 mL at 100 mg/mL
    return Session(build_plan(PlanRequest("privigen", "pi", weight, dose)))


def vial(gtin=PRIVIGEN_10G, lot="P1", expiry="2029-06-30", grams=10, serial=""):
    return typed_vial(gtin, lot, expiry, grams, serial)


def test_an_expired_vial_is_refused_and_nothing_is_recorded():
    s = privigen()
    with pytest.raises(InputError) as e:
        add_vial(s, 0, vial(expiry="2026-11-30"), TODAY, load_library())
    assert e.value.field == "expiry" and not s.bedside.vials and len(s.events) == 1
    add_vial(s, 0, vial(expiry="2026-12-01"), TODAY, load_library())  # expires today: still usable today
    assert len(s.bedside.vials) == 1


def test_a_vial_of_another_product_blocks_the_start_until_it_is_removed():
    s = privigen()
    lib = dict(load_library())
    # give Gamunex-C a GTIN for this test only: the shipped library lists GTINs for Privigen alone
    from dataclasses import replace

    lib["gamunex-c"] = replace(lib["gamunex-c"], gtins=(OTHER_GTIN,))
    h = add_vial(s, 0, vial(gtin=OTHER_GTIN), TODAY, lib)
    assert (h.finding, h.product) == ("other-product", "gamunex-c")
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    with pytest.raises(SessionError, match="gamunex-c, not the prescribed product"):
        s.start(1)
    remove_vial(s, 2, 1, "another product: returned to pharmacy")
    s.start(3)
    assert s.status == "running"


def test_a_known_gtin_is_matched_and_an_unknown_one_is_recorded_as_not_checked():
    s = privigen()
    assert add_vial(s, 0, vial(), TODAY, load_library()).finding == "matched"
    assert add_vial(s, 0, vial(gtin=OTHER_GTIN, lot="X9"), TODAY, load_library()).finding == "unknown-gtin"
    assert s.bedside.blocking() == []


def test_the_vials_grams_against_the_dose():
    s = privigen()  # 25 g
    add_vial(s, 0, vial(serial="A1"), TODAY, load_library())
    add_vial(s, 0, vial(serial="A2"), TODAY, load_library())
    assert dose_words(s.bedside.grams(), 25) == "20 g in the vials: 5 g SHORT of the prescribed 25 g"
    add_vial(s, 0, vial(gtin=PRIVIGEN_5G, lot="P2", grams=5), TODAY, load_library())
    assert dose_words(s.bedside.grams(), 25) == "25 g in the vials = the prescribed 25 g"
    assert s.bedside.lots()[0][1:] == ("P1", date(2029, 6, 30), 2, 20.0)
    with pytest.raises(SessionError, match="already recorded"):
        add_vial(s, 0, vial(serial="A1"), TODAY, load_library())


def test_premedication_is_recorded_once_given_never_ahead():
    s = privigen()
    give_premedication(s, 5, "paracetamol", 1000, "mg", "oral", -25, from_list=True)
    with pytest.raises(InputError, match="record it once given"):
        give_premedication(s, 5, "pheniramine", 25, "mg", "IV", 10)
    with pytest.raises(InputError):
        give_premedication(s, 5, "pheniramine", 25, "tablets", "IV", 0)
    (p, at, _), = s.bedside.premedications
    assert (p.drug, p.dose, p.given_min, at) == ("paracetamol", 1000, -25, 5)


def test_every_event_after_a_sign_in_carries_the_nurse_and_a_replay_agrees():
    s = privigen()
    sign_in(s, 0, "Alex Morgan", "am")
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    add_vial(s, 0, vial(), TODAY, load_library())
    s.start(1)
    sign_in(s, 20, "Sam Lee", "SL")
    s.note(21, "handover")
    assert [e.who for e in s.events[1:]] == ["Alex Morgan"] * 4 + ["Sam Lee"] * 2
    again = Session.replay([e.to_dict() for e in s.events])
    assert [e.who for e in again.events] == [e.who for e in s.events]
    assert again.bedside.on_duty.initials == "SL" and len(again.bedside.vials) == 1


def test_where_the_unit_asks_the_start_and_overrides_need_a_second_nurse():
    s = privigen()
    s.bedside.double_check = DoubleCheck(start=True, override=True)
    sign_in(s, 0, "Alex Morgan", "AM")
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    with pytest.raises(SessionError, match="second nurse"):
        s.start(1)
    with pytest.raises(SessionError, match="someone other"):
        s.start(1, second="alex morgan")
    s.start(1, second="Sam Lee")
    assert s.events[-1].data["second"] == "Sam Lee"
    p = s.report_symptoms(40, ["chills"])
    with pytest.raises(SessionError, match="second nurse"):
        s.override(40, p, "pause", 0.0, "patient asked to stop for a while")
    s.override(40, p, "pause", 0.0, "patient asked to stop for a while", second="Sam Lee")
    assert s.status == "paused"


def test_unit_settings_read_nurses_double_checks_and_premedication(tmp_path):
    f = tmp_path / "unit.toml"
    f.write_text('schema_version = 1\n[alerts]\nsilence_min = 5\n[double_check]\nstart = true\n'
                 '[[nurse]]\nname = "Alex Morgan"\ninitials = "AM"\n'
                 '[[premedication]]\ndrug = "paracetamol"\ndose = 1000\nunit = "mg"\nroutes = ["oral"]\nsource = "x"\n')
    u = load_unit_settings(str(f))
    assert u.double_check == DoubleCheck(start=True, override=False)
    assert [n.label for n in u.nurses] == ["Alex Morgan (AM)"] and u.premedications[0].dose == 1000
    f.write_text(f.read_text().replace('routes = ["oral"]', 'routes = ["by mouth"]'))
    with pytest.raises(DataError, match=r"premedication\[0\]\.routes: 'by mouth'"):
        load_unit_settings.__wrapped__(str(f))


def test_the_shipped_unit_list_cites_the_common_premedications():
    opts = {o.drug: o for o in load_unit_settings().premedications}
    assert {"paracetamol", "chlorphenamine", "hydrocortisone"} <= set(opts)
    assert opts["paracetamol"].dose == 1000 and opts["paracetamol"].atc == "N02BE01"
    assert opts["hydrocortisone"].dose is None  # no source gives a dose: the nurse types the prescribed one
    assert all(o.source for o in opts.values())
