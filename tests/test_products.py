import pytest

from titration.errors import DataError, InputError
from titration.products import get_product, load_library, read_library
from titration.protocols import load_protocols, resolve

DESIGN_IDS = {"privigen", "gamunex-c", "octagam-5", "octagam-10", "flebogamma-5-dif", "flebogamma-10-dif",
              "gammagard-liquid", "gammaplex-5", "gammaplex-10", "bivigam", "panzyga", "asceniv"}


def test_the_twelve_products_of_the_design_are_there():
    assert DESIGN_IDS <= set(load_library())


def test_indication_specific_maxima_from_the_reference():
    lib = load_library()
    assert lib["privigen"].indication("itp").max_mg_kg_min == 4
    assert lib["privigen"].indication("pi").max_mg_kg_min == 8
    assert lib["octagam-10"].indication("dm").max_mg_kg_min == pytest.approx(4)   # 0.04 mL/kg/min
    assert lib["gammagard-liquid"].indication("mmn").max_mg_kg_min == pytest.approx(9)  # 5.4 mL/kg/h
    assert lib["panzyga"].indication("pi").max_mg_kg_min == 14
    assert lib["panzyga"].indication("cidp").max_mg_kg_min == 12
    assert lib["panzyga"].indication("itp").max_mg_kg_min == 8
    assert lib["gamunex-c"].indication("cidp").initial_mg_kg_min == 2


def test_at_risk_caps_are_numeric_only_where_the_label_gives_one():
    lib = load_library()
    # Octagam 10%: stated as 3.3 mg/kg/min and 0.03 mL/kg/min; the lower (3.0 mg/kg/min) is used
    assert lib["octagam-10"].indication("itp").at_risk_max_mg_kg_min == pytest.approx(3.0)
    assert lib["octagam-10"].indication("dm").at_risk_max_mg_kg_min == pytest.approx(3.0)
    assert lib["panzyga"].indication("pi").at_risk_max_mg_kg_min == 3.3
    # Octagam 5%: "less than 0.07 mL/kg/min [3.3 mg/kg/min]" beside "minimum rate practicable": a ceiling
    # for the prescriber's cap (asked for), never a target
    o5 = lib["octagam-5"].indication("pi")
    assert o5.at_risk_max_mg_kg_min == 3.3 and o5.at_risk_ceiling_only and o5.at_risk_exclusive
    # Bivigam: the current label says only "minimum rate practicable"; an older compendium's "less than
    # 2 mg/kg/min" is a ceiling for the prescriber's cap (asked for), the safer reading
    bv = lib["bivigam"].indication("pi")
    assert bv.at_risk_max_mg_kg_min == 2.0 and bv.at_risk_ceiling_only and bv.at_risk_exclusive
    assert bv.at_risk_from == "compendium"
    # the current labels say only "minimum rate practicable": the prescriber's cap is asked for
    assert lib["privigen"].indication("pi").at_risk_max_mg_kg_min is None
    assert lib["gamunex-c"].indication("pi").at_risk_max_mg_kg_min is None


def test_every_indication_resolves_to_a_ladder_that_never_exceeds_its_maximum():
    for p in load_library().values():
        for ind in p.indications.values():
            proto = resolve(p, ind, None)
            targets = proto.ladder.targets(p.concentration_mg_per_ml, ind.initial_mg_kg_min, ind.initial_minutes,
                                           ind.max_mg_kg_min)
            rates = [r for r, _ in targets]
            assert rates[0] == pytest.approx(ind.initial_mg_kg_min), (p.id, ind.id)
            assert max(rates) <= ind.max_mg_kg_min + 1e-9
            assert rates == sorted(rates)
            assert targets[-1][1] is None  # the last step runs until the volume is in
            if ind.unconfirmed:
                assert proto.kind == "local", f"{p.id}/{ind.id}: unconfirmed steps need a local protocol"


def test_unconfirmed_steps_are_planned_only_with_a_local_protocol():
    p = get_product("privigen")
    with pytest.raises(InputError) as e:
        resolve(p, p.indication("pi"), "label")
    assert "local protocol" in str(e.value)


def test_a_product_specific_protocol_is_not_reused_for_another_product():
    p = get_product("octagam-5")
    with pytest.raises(InputError, match="gammaplex-5"):
        resolve(p, p.indication("pi"), "local-gammaplex-5")


@pytest.mark.parametrize("pid", ["octagam-5", "privigen", "panzyga", "gammagard-liquid"])
def test_a_standard_table_applies_only_to_the_products_it_names(pid):
    # NL-IVIG002 names Gamunex, IGIVnex and Octagam 10%: not every 10% product (Privigen starts at 0.5)
    p = get_product(pid)
    ind = next(iter(p.indications.values()))
    with pytest.raises(InputError, match="gamunex-c, octagam-10 only"):
        resolve(p, ind, "nl-ivig002")
    for ok in ("gamunex-c", "octagam-10"):
        q = get_product(ok)
        assert resolve(q, next(iter(q.indications.values())), "nl-ivig002").id == "nl-ivig002"


def test_unknown_ids_name_the_field():
    with pytest.raises(InputError) as e:
        get_product("nope")
    assert e.value.field == "--product"
    with pytest.raises(InputError) as e:
        get_product("privigen").indication("kawasaki")
    assert e.value.field == "--indication"


def _write(tmp_path, body):
    f = tmp_path / "products.toml"
    f.write_text(body)
    return f


GOOD = '''
[[product]]
id = "x"
name = "X 10%"
manufacturer = "M"
concentration_mg_per_ml = 100
vial_sizes_g = [5]
vial_sizes_source = "s"
  [[product.indication]]
  id = "pi"
  initial = "1 mg/kg/min"
  max = "MAX"
  ladder = "label"
  label_ladder = { rates = ["1 mg/kg/min", "TOP"], step_minutes = 30 }
  sources = ["s"]
'''


def good(mx, top):
    return GOOD.replace("MAX", mx).replace("TOP", top)


def test_a_label_ladder_above_its_maximum_is_refused_with_file_and_key(tmp_path):
    f = _write(tmp_path, good("4 mg/kg/min", "8 mg/kg/min"))
    with pytest.raises(DataError) as e:
        read_library(f, load_protocols())
    assert str(f) in str(e.value) and "label_ladder.rates" in str(e.value) and "exceeds" in str(e.value)


@pytest.mark.parametrize("mutate,key", [
    (lambda s: s.replace('"1 mg/kg/min"\n', '"1 mg/kg/hour"\n', 1), "initial"),
    (lambda s: s.replace('id = "pi"', 'id = "flu"'), "indication[0].id"),
    (lambda s: s.replace('ladder = "label"', 'ladder = "nope"'), "ladder"),
    (lambda s: s.replace("concentration_mg_per_ml = 100", 'concentration_mg_per_ml = "ten"'),
     "concentration_mg_per_ml"),
    (lambda s: s + "\n[[[broken", "(file)"),
])
def test_broken_library_files_fail_with_a_clear_message(tmp_path, mutate, key):
    f = _write(tmp_path, mutate(good("8 mg/kg/min", "8 mg/kg/min")))
    with pytest.raises(DataError) as e:
        read_library(f, load_protocols())
    assert key in str(e.value)


def test_a_missing_library_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_library(tmp_path / "none.toml", load_protocols())
