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


def test_birmingham_inside_the_west_midlands():
    """Birmingham (E08000025) inside the West Midlands Combined Authority (E08000025-E08000031) inside elsewhere;
    net zero 2030 (the council's Route to Zero); IMD 2019 and 2025; a disclosure threshold."""
    brum = load_place("birmingham")
    assert brum.local_authority_code == "E08000025" and brum.network_name == "Birmingham Anchor Network"
    assert brum.ring_keys == ["birmingham", "west_midlands", "elsewhere"]
    assert brum.ring("west_midlands").lad_codes == tuple(f"E080000{n}" for n in range(25, 32))
    assert (brum.net_zero_year, brum.imd_editions, brum.disclosure_threshold) == (2030, (2019, 2025), 10)
    assert "spend_west_midlands" in metric_definitions(brum).index
    assert brum.datasets.has_boundaries and brum.datasets.postcodes == "postcodes_west_midlands"


def test_datasets_are_configuration(tmp_path):
    text = (load_place.__globals__["resources"].files("anchor_analysis") / "data" / "places" / "leeds.toml").read_text()
    without = tmp_path / "no_datasets.toml"
    without.write_text(text[:text.index("[datasets]")])
    with pytest.raises(ConfigError, match="no postcode lookup"):
        load_place(without)
    typo = tmp_path / "typo.toml"
    typo.write_text(text.replace("ward_boundaries =", "wards_boundaries ="))
    with pytest.raises(ConfigError, match=r"unknown \[datasets\] entries \['wards_boundaries'\]"):
        load_place(typo)
    no_maps = tmp_path / "no_maps.toml"
    no_maps.write_text(text.replace('ward_boundaries = "boundaries_wards"\n', ""))
    assert not load_place(no_maps).datasets.has_boundaries
    assert load_place(no_maps).datasets.boundaries("lsoa21") == "boundaries_lsoa21"
