from __future__ import annotations

import pytest

from anchor_analysis.core import (
    ConfigError,
    available_places,
    fy_label,
    load_framework,
    load_place,
    metric_definitions,
    parse_fy,
    sectors,
)


def test_leeds_place():
    leeds = load_place("leeds")
    assert leeds.local_authority_code == "E08000035"
    assert leeds.ring("west_yorkshire").lad_codes == ("E08000032", "E08000033", "E08000034", "E08000035",
                                                     "E08000036")
    assert leeds.net_zero_year == 2030
    assert leeds.imd_editions == (2019, 2025)
    assert leeds.disclosure_threshold > 0
    assert leeds.ring_keys == ["leeds", "west_yorkshire", "elsewhere"]


def test_second_place_is_not_leeds():
    assert {"leeds", "bradford"} <= set(available_places())
    bradford = load_place("bradford")
    assert bradford.local_authority_code == "E08000032"
    assert bradford.rings[0].key == "bradford"
    assert "spend_bradford" in metric_definitions(bradford).index
    assert "spend_leeds" not in metric_definitions(bradford).index


def test_place_from_file_and_errors(tmp_path):
    text = (load_place.__globals__["resources"].files("anchor_analysis") / "data" / "places" / "leeds.toml")
    custom = tmp_path / "mytown.toml"
    custom.write_text(text.read_text().replace('key = "leeds"\nname = "Leeds"', 'key = "mytown"\nname = "My Town"'))
    assert load_place(custom).name == "My Town"
    with pytest.raises(ConfigError, match="unknown place 'atlantis'"):
        load_place("atlantis")
    broken = tmp_path / "broken.toml"
    broken.write_text('key = "x"\n')
    with pytest.raises(ConfigError, match="broken.toml: not a valid place"):
        load_place(broken)


def test_rings_must_nest(tmp_path):
    text = (load_place.__globals__["resources"].files("anchor_analysis") / "data" / "places" / "leeds.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.read_text().replace('"E08000032", "E08000033", "E08000034", "E08000035"',
                                            '"E08000032", "E08000033", "E08000034"'))
    with pytest.raises(ConfigError, match="not inside ring"):
        load_place(bad)


def test_imd_edition_for_year():
    leeds = load_place("leeds")
    assert leeds.imd_edition_for(2019) == 2019
    assert leeds.imd_edition_for(2023) == 2019
    assert leeds.imd_edition_for(2024) == 2019
    assert leeds.imd_edition_for(2026) == 2025


@pytest.mark.parametrize(("year", "label"), [(2019, "2019/20"), (2023, "2023/24"), (1999, "1999/00")])
def test_fy_labels_round_trip(year, label):
    assert fy_label(year) == label
    assert parse_fy(label) == year
    assert parse_fy(str(year)) == year


@pytest.mark.parametrize("bad", ["2023/25", "23/24", "FY23", "", "2023-24x", "2023/124", "2023/9924", "2023/2025"])
def test_bad_fy_label(bad):
    with pytest.raises(ConfigError, match="not a financial year"):
        parse_fy(bad)


def test_framework_matches_seed_003():
    fw = load_framework()
    assert fw.dimension_keys == ["employment", "procurement", "environment_assets", "service_delivery", "civic"]
    assert len(fw.activities_of("employment")) == 4
    assert fw.activities_of("procurement") == ["local_supply_chains", "social_value"]
    assert len(fw.activities_of("service_delivery")) == 2 and len(fw.activities_of("civic")) == 2
    assert fw.level_names == {1: "basic", 2: "intermediate", 3: "good", 4: "best practice"}
    assert fw.activities["activity"].is_unique
    with pytest.raises(KeyError, match="not an activity"):
        fw.dimension_of("juggling")


def test_metric_definitions_have_units():
    defs = metric_definitions("leeds")
    assert defs.loc["headcount", "unit"] == "people"
    assert defs.loc["total_spend", "unit"] == "GBP"
    assert defs.loc["scope1_tco2e", "unit"] == "tCO2e"
    assert set(defs["kind"]) <= {"count", "money", "emissions", "area", "flag"}
    assert set(defs["part_of"].dropna()) <= set(defs.index)
    assert {"nhs", "university", "fe_college", "local_authority", "utility", "government", "culture"} <= set(sectors())
