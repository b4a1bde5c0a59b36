"""Tests of anchor_analysis.public: registry, checksums, download, parsers, and the loaders on the real data.

Tests without the ``public_data_dir`` fixture need no data; the others skip (saying why) unless
ANCHOR_ANALYSIS_PUBLIC_DATA names the real public data folder.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import re
import threading
from pathlib import Path

import pandas as pd
import pytest

from anchor_analysis import public
from anchor_analysis.core import (
    PUBLIC_DATA_ENV,
    BoundariesUnavailable,
    ConfigError,
    PublicDataChecksumError,
    PublicDataMissing,
    available_places,
    load_place,
)

LEEDS = "E08000035"
HOW_TO = (
    "set ANCHOR_ANALYSIS_PUBLIC_DATA to the folder holding the public data (e.g. ../shared/data/public), "
    "or set ANCHOR_ANALYSIS_PUBLIC_DATA_URL to download it"
)


@pytest.fixture
def nothing_configured(monkeypatch):
    """No public data folder, no download URL."""
    monkeypatch.delenv(PUBLIC_DATA_ENV, raising=False)
    monkeypatch.delenv(public.PUBLIC_DATA_URL_ENV, raising=False)


def _register(monkeypatch, key: str, file: str, sha256: str) -> None:
    """Add a registry entry for this test only."""
    entry = public.Dataset(
        key, file, sha256, "Test publisher", "Open Government Licence v3.0", "Test.", "t", "https://x"
    )
    monkeypatch.setitem(public.datasets._datasets(), key, entry)


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A small registered file ``tiny/tiny.csv`` in a fresh folder; returns (folder, key, content)."""
    content = b"lsoa_code,value\nE01000001,1\n"
    folder = tmp_path / "public"
    (folder / "tiny").mkdir(parents=True)
    (folder / "tiny" / "tiny.csv").write_bytes(content)
    _register(monkeypatch, "tiny_test", "tiny/tiny.csv", hashlib.sha256(content).hexdigest())
    return folder, "tiny_test", content


@pytest.fixture
def http_folder(tmp_path, monkeypatch):
    """A local HTTP server on 127.0.0.1 serving a temp folder; returns (folder, base_url, requested paths)."""
    folder = tmp_path / "served"
    folder.mkdir()
    requested: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):  # record requests instead of printing them
            requested.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    monkeypatch.delenv(PUBLIC_DATA_ENV, raising=False)
    monkeypatch.setenv(public.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(public.PUBLIC_DATA_URL_ENV, f"http://127.0.0.1:{server.server_address[1]}/")
    yield folder, f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- registry -----------------------------------------------------------------------------------------------


def test_registry_is_well_formed():
    reg = public.registry()
    columns = ["key", "file", "sha256", "publisher", "licence", "attribution", "title", "url", "place"]
    assert list(reg.columns) == columns
    assert set(reg["place"]) - {""} <= set(available_places())
    assert reg["key"].is_unique and reg["file"].is_unique
    for row in reg.itertuples():
        assert re.fullmatch(r"[0-9a-f]{64}", row.sha256), row.key
        for field in ("publisher", "licence", "attribution", "title"):
            assert getattr(row, field).strip(), (row.key, field)
        assert row.url.startswith("https://"), row.key
        assert not row.file.startswith("/") and ".." not in Path(row.file).parts, row.key


def test_registry_covers_every_file_the_loaders_read():
    keys = set(public.registry()["key"])
    used = (
        set(public.parsers._PARSERS)
        | set(public.boundaries._BOUNDARY_COLUMNS)
        | set(public.spending._SPENDING_KEYS.values())
        | {key for name in available_places() for key in load_place(name).datasets.keys()}
    )
    assert used <= keys


def test_every_place_names_datasets_its_loaders_can_read():
    for name in available_places():
        datasets = load_place(name).datasets
        assert datasets.postcodes in public.parsers._PARSERS, name
        for level in ("lsoa11", "lsoa21", "ward", "lad"):
            key = datasets.boundaries(level)
            assert key is None or key in public.boundaries._BOUNDARY_COLUMNS, (name, level)


def test_a_report_of_one_place_lists_no_other_place_s_own_files():
    registry = public.registry().set_index("key")
    for name in available_places():
        keys = public.place_datasets(name)
        owners = set(registry.loc[keys, "place"]) - {""}
        named = set(load_place(name).datasets.keys())
        assert owners <= {name} | set(registry.loc[sorted(named), "place"]), name
    birmingham = public.place_datasets("birmingham")
    assert not [key for key in birmingham if registry.at[key, "place"] == "leeds"]
    assert {"postcodes_west_midlands", "imd2019_file10", "boundaries_uk_lad"} <= set(birmingham)


def test_unknown_key_lists_known_keys():
    with pytest.raises(KeyError, match="unknown public dataset 'imd2015'.*imd2019_file1"):
        public.dataset_path("imd2015")


def test_attribution_is_deduplicated():
    one = public.attribution(["imd2019_file1", "imd2019_file2", "imd2019_file6", "imd2025_lsoa21"])
    assert one == "Contains public sector information licensed under the Open Government Licence v3.0."
    postcodes = public.attribution(["postcodes_place", "postcodes_region"])
    assert public.attribution("postcodes_place") == postcodes
    everything = public.attribution()
    assert all(text in everything for text in ("Open Government Licence", "mySociety", "Royal Mail"))
    lines = everything.splitlines()
    assert len(lines) == len(set(lines)) < len(public.registry())
    with pytest.raises(KeyError):
        public.attribution(["nope"])


# --- locating and verifying files ---------------------------------------------------------------------------


def test_missing_when_nothing_configured_says_what_to_set(nothing_configured):
    with pytest.raises(PublicDataMissing) as caught:
        public.dataset_path("imd2019_file1")
    message = str(caught.value)
    assert "'imd2019_file1'" in message
    assert "imd2019/england_imd2019_file1_imd_rank_decile.csv.gz" in message
    assert HOW_TO in message
    assert isinstance(caught.value, FileNotFoundError) and caught.value.key == "imd2019_file1"
    with pytest.raises(PublicDataMissing, match="ANCHOR_ANALYSIS_PUBLIC_DATA"):
        public.load_imd(2025, LEEDS)


def test_empty_variable_counts_as_unset(nothing_configured, monkeypatch):
    monkeypatch.setenv(PUBLIC_DATA_ENV, "")
    with pytest.raises(PublicDataMissing, match="no public data folder or download URL is set"):
        public.dataset_path("postcodes_place")


def test_missing_file_in_configured_folder_names_the_folder(nothing_configured, tmp_path):
    with pytest.raises(PublicDataMissing) as caught:
        public.load_ward_boundaries(data_dir=tmp_path)
    assert str(tmp_path) in str(caught.value) and "boundaries_wards" in str(caught.value)
    assert HOW_TO in str(caught.value)


def test_checksum_is_verified_once_per_file(tiny, nothing_configured, monkeypatch):
    folder, key, content = tiny
    public.clear_cache()
    calls = []
    real_hash = public.datasets._file_sha256
    monkeypatch.setattr(public.datasets, "_file_sha256", lambda path: calls.append(path) or real_hash(path))
    monkeypatch.setenv(PUBLIC_DATA_ENV, str(folder))
    assert public.dataset_path(key).read_bytes() == content
    assert public.dataset_path(key, folder) == folder / "tiny" / "tiny.csv"
    assert len(calls) == 1


def test_checksum_mismatch_raises(tiny, tmp_path, nothing_configured):
    folder, key, content = tiny
    corrupted = tmp_path / "corrupted"
    (corrupted / "tiny").mkdir(parents=True)
    (corrupted / "tiny" / "tiny.csv").write_bytes(content.replace(b"1\n", b"2\n"))
    with pytest.raises(PublicDataChecksumError) as caught:
        public.dataset_path(key, corrupted)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.expected == hashlib.sha256(content).hexdigest()
    assert error.actual == hashlib.sha256((corrupted / "tiny" / "tiny.csv").read_bytes()).hexdigest()
    assert "tiny.csv" in str(error) and error.expected in str(error) and error.actual in str(error)
    assert public.dataset_path(key, folder).is_file()  # the intact copy still passes


def test_download_with_pooch_verifies_checksum(http_folder, tmp_path, monkeypatch):
    served, base_url, requested = http_folder
    content = b"postcode,lad24_code\nLS1 1UR,E08000035\n"
    (served / "tiny").mkdir()
    (served / "tiny" / "download.csv").write_bytes(content)
    _register(monkeypatch, "tiny_download", "tiny/download.csv", hashlib.sha256(content).hexdigest())

    path = public.dataset_path("tiny_download")
    assert path.read_bytes() == content
    assert path.is_relative_to(tmp_path / "cache")
    assert public.dataset_path("tiny_download") == path  # verified and cached: no second download
    assert requested == ["/tiny/download.csv"]

    (served / "tiny" / "changed.csv").write_bytes(content + b"LS2 9JT,E08000035\n")
    _register(monkeypatch, "tiny_changed", "tiny/changed.csv", hashlib.sha256(content).hexdigest())
    with pytest.raises(PublicDataChecksumError) as caught:
        public.dataset_path("tiny_changed")
    assert base_url in caught.value.file and caught.value.expected == hashlib.sha256(content).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", caught.value.actual)
    assert not (tmp_path / "cache" / "tiny" / "changed.csv").exists()

    _register(monkeypatch, "tiny_absent", "tiny/absent.csv", "0" * 64)
    with pytest.raises(PublicDataMissing, match="download of .*absent.csv failed"):
        public.dataset_path("tiny_absent")


# --- arguments are checked before any data is read ----------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: public.load_imd(2015), "IMD edition must be one of"),
        (lambda: public.imd_for_lsoa21(2011), "IMD edition must be one of"),
        (lambda: public.load_lsoa_lookup(2001), "lsoa_year"),
        (lambda: public.load_lsoa_boundaries(2021, "E08000032"), "cover E08000035 only"),
        (lambda: public.load_lsoa_boundaries(2011, [LEEDS, "E08000032"]), "cover E08000035 only"),
        (lambda: public.load_ward_boundaries("E08000032"), "cover E08000035 only"),
        (lambda: public.load_ward_boundaries(LEEDS, place="birmingham"), "cover E08000025 only"),
        (lambda: public.load_lad_boundaries("place", "E08000032"), "cover E08000035 only"),
        (lambda: public.load_lad_boundaries("world"), "scope"),
        (lambda: public.load_postcode_lookup("country"), "scope"),
        (lambda: public.load_spending("monthly"), "spending kind"),
        (lambda: public.load_spending("detailed", ["net_amount_gbp"]), "unknown detailed spending column"),
    ],
)
def test_bad_arguments_raise_value_error(nothing_configured, call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_leeds_code_for_leeds_boundaries_is_accepted(nothing_configured):
    with pytest.raises(PublicDataMissing):
        public.load_lsoa_boundaries(2021, LEEDS)


@pytest.mark.parametrize("load", [
    lambda: public.load_lsoa_boundaries(2011, place="bradford"),
    lambda: public.load_lsoa_boundaries(2021, place="bradford"),
    lambda: public.load_ward_boundaries(place="bradford"),
])
def test_a_place_without_boundaries_says_so_before_reading_anything(nothing_configured, load):
    with pytest.raises(BoundariesUnavailable, match="no .* boundaries are available for Bradford") as caught:
        load()
    assert caught.value.place == "Bradford"


def test_boundaries_of_another_local_authority_are_refused(tmp_path):
    text = (Path(load_place.__globals__["resources"].files("anchor_analysis")) / "data" / "places" / "bradford.toml")
    wrong = tmp_path / "bradford_with_leeds_wards.toml"
    wrong.write_text(text.read_text() + 'ward_boundaries = "boundaries_wards"\n')
    with pytest.raises(ConfigError, match="cover E08000035, not the place's local authority E08000032"):
        public.load_ward_boundaries(place=wrong)


# --- parsers ------------------------------------------------------------------------------------------------


def test_official_imd2019_csv_with_bom_and_thousands_separators(tmp_path):
    header = (
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
        "Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,"
        "Index of Multiple Deprivation (IMD) Decile,Crime Rank (where 1 is most deprived),"
        "Total population: mid 2015 (excluding prisoners)"
    )
    rows = ['E01000001,City of London 001A,E09000001,City of London,"29,199",9,7319.00,"1,296"']
    path = tmp_path / "file.csv.gz"
    path.write_bytes(gzip.compress(("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")))
    frame = public.parsers._read_imd2019_official(path)
    expected = ["lsoa_code", "lsoa_name", "lad_code", "lad_name", "imd_rank", "imd_decile", "crime_rank"]
    assert list(frame.columns) == [*expected, "population"]
    values = frame.loc[0, ["imd_rank", "imd_decile", "crime_rank", "population"]].tolist()
    assert values == [29199, 9, 7319, 1296]
    assert (frame.dtypes.loc[["imd_rank", "population"]] == "int64").all()
    assert frame.loc[0, "lsoa_code"] == "E01000001"

    path.write_bytes(gzip.compress((header + ",Mystery Column\n" + rows[0] + ",1\n").encode()))
    with pytest.raises(ValueError, match="unexpected column 'Mystery Column'"):
        public.parsers._read_imd2019_official(path)
    path.write_bytes(gzip.compress((header + "\n" + rows[0].replace("7319.00", "7319.5") + "\n").encode()))
    with pytest.raises(ValueError, match="expected whole numbers"):
        public.parsers._read_imd2019_official(path)


def test_derived_tables_are_cached_by_sources_and_key(tmp_path, monkeypatch):
    monkeypatch.setenv(public.CACHE_ENV, str(tmp_path))
    builds = []

    def build():
        builds.append(1)
        return pd.DataFrame({"code": pd.Series(["a", "b"], dtype="str"), "n": [1, 2], "x": [0.5, None]})

    first = public.cached_derived_table("example", ["imd2019_file1"], ("v1",), build)
    again = public.cached_derived_table("example", ["imd2019_file1"], ("v1",), build)
    assert len(builds) == 1 and again.attrs["cache"].startswith(str(tmp_path / "derived"))
    pd.testing.assert_frame_equal(again, first)
    public.cached_derived_table("example", ["imd2019_file1"], ("v2",), build)  # another definition
    public.cached_derived_table("example", ["imd2019_file2"], ("v1",), build)  # other sources
    assert len(builds) == 3
    assert len(list((tmp_path / "derived").glob("example-*.parquet"))) == 1  # the superseded ones are removed
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv(public.CACHE_ENV, str(blocked))  # the cache cannot be written: built, not failed
    assert public.cached_derived_table("example", ["imd2019_file1"], ("v1",), build)["n"].tolist() == [1, 2]
    assert len(builds) == 4


def test_apportion_keeps_totals_exactly():
    pairs = pd.DataFrame(
        {
            "lsoa11_code": ["A", "B", "B", "B", "C", "D"],
            "lsoa21_code": ["A", "B1", "B2", "B3", "CD", "CD"],
        }
    )
    values = pd.DataFrame({"lsoa11_code": ["A", "B", "C", "D"], "population": [1500, 10, 700, 800]})
    out = public.lookups._apportion(values, pairs, ["population"]).set_index("lsoa21_code")["population"]
    assert out.to_dict() == {"A": 1500, "B1": 4, "B2": 3, "B3": 3, "CD": 1500}
    assert out.dtype == "int64" and out.sum() == values["population"].sum()


# --- the real public data -----------------------------------------------------------------------------------

real_data = pytest.mark.public_data


@real_data
def test_registry_checksums_match_the_real_files(public_data_dir):
    for row in public.registry().itertuples():
        path = public_data_dir / row.file
        assert path.is_file(), row.file
        with open(path, "rb") as fh:
            assert hashlib.file_digest(fh, "sha256").hexdigest() == row.sha256, row.file
        assert public.dataset_path(row.key, public_data_dir) == path


@real_data
def test_imd2019(public_data_dir):
    england = public.load_imd(2019, data_dir=public_data_dir)
    assert len(england) == 32_844 and england["lsoa_code"].is_unique
    assert england["imd_rank"].between(1, 32_844).all()
    # the official ranks tie LSOAs whose scores are equal (26 pairs in File 1)
    tied = england[england["imd_rank"].duplicated(keep=False)]
    assert len(tied) == 52 and (tied.groupby("imd_rank")["imd_score"].nunique() == 1).all()
    leeds = public.load_imd(2019, LEEDS, data_dir=public_data_dir)
    assert len(leeds) == 482
    assert (leeds["imd_decile"] == 1).sum() == 114
    assert leeds["population"].sum() == 771_857
    assert set(leeds[["edition", "lsoa_year"]].drop_duplicates().itertuples(index=False)) == {(2019, 2011)}
    for domain in ("imd", *public.DOMAINS):
        assert leeds[f"{domain}_rank"].dtype == "int64" and leeds[f"{domain}_decile"].between(1, 10).all()
    assert leeds["population"].dtype == "int64" and leeds["population_working_age"].dtype == "int64"
    assert pd.api.types.is_string_dtype(leeds["lsoa_code"]) and leeds["lsoa_code"].str.startswith("E01").all()
    assert leeds["imd_score"].notna().all() and leeds.notna().all().all()
    top = england.loc[england["imd_rank"] == 1].iloc[0]
    assert top["lsoa_code"] == "E01021988" and top["imd_score"] == england["imd_score"].max()


@real_data
def test_imd2025_with_estimated_population(public_data_dir):
    england = public.load_imd(2025, data_dir=public_data_dir)
    assert len(england) == 33_755 and england["lsoa_code"].is_unique
    assert sorted(england["imd_rank"]) == list(range(1, 33_756))
    leeds = public.load_imd(2025, LEEDS, data_dir=public_data_dir)
    assert len(leeds) == 488 and (leeds["imd_decile"] == 1).sum() == 84
    assert leeds["lad_name"].eq("Leeds").all() and leeds["lsoa_name"].str.startswith("Leeds ").all()
    assert set(leeds["lsoa_year"]) == {2021} and set(leeds["edition"]) == {2025}
    assert leeds["population"].dtype == "int64" and leeds["population"].min() > 0
    assert abs(leeds["population"].sum() - 771_857) <= 5
    assert leeds["population_source"].str.contains("estimate").all()
    england_2019 = public.load_imd(2019, data_dir=public_data_dir)
    assert england["population"].sum() == england_2019["population"].sum()
    assert england["population_working_age"].sum() == england_2019["population_working_age"].sum()
    assert {f"{domain}_score" for domain in public.DOMAINS} <= set(england.columns)


@real_data
def test_imd_is_built_once_and_callers_get_their_own_copy(public_data_dir):
    public.load_imd(2019, data_dir=public_data_dir)
    before = public.imd._imd_national.cache_info().hits
    first = public.load_imd(2019, LEEDS, data_dir=public_data_dir)
    first.loc[0, "imd_decile"] = 99
    first["scratch"] = 1
    again = public.load_imd(2019, LEEDS, data_dir=public_data_dir)
    assert public.imd._imd_national.cache_info().hits == before + 2  # both served from the one build
    assert "scratch" not in again.columns and again.loc[0, "imd_decile"] != 99
    england = public.load_imd(2019, data_dir=public_data_dir)
    england.loc[0, "imd_rank"] = -1
    assert public.load_imd(2019, data_dir=public_data_dir).loc[0, "imd_rank"] > 0


@real_data
def test_imd_read_back_from_the_cache_equals_a_fresh_build(public_data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(public.CACHE_ENV, str(tmp_path))
    for edition, build in ((2019, public.imd._imd2019), (2025, public.imd._imd2025)):
        public.clear_cache()
        public.load_imd(edition, data_dir=public_data_dir)  # builds and writes the cache
        assert list((tmp_path / "derived").glob(f"imd{edition}_national-*.parquet"))
        public.clear_cache()
        cached = public.load_imd(edition, data_dir=public_data_dir)  # read back
        fresh = build(public_data_dir).sort_values("lsoa_code", ignore_index=True)
        pd.testing.assert_frame_equal(cached, fresh)
    public.clear_cache()


@real_data
def test_imd_for_lsoa21(public_data_dir):
    leeds21 = public.load_lsoa_lookup(2021, LEEDS, data_dir=public_data_dir)
    imd19 = public.imd_for_lsoa21(2019, LEEDS, data_dir=public_data_dir)
    assert len(imd19) == 488 and set(imd19["lsoa21_code"]) == set(leeds21["lsoa_code"])
    assert imd19[["imd_rank", "imd_decile", "imd_score"]].notna().all().all()
    # merged LSOA21s take the values of their most populous LSOA11
    pairs = public.load_lsoa11_to_lsoa21(LEEDS, data_dir=public_data_dir)
    population = public.load_imd(2019, LEEDS, data_dir=public_data_dir).set_index("lsoa_code")
    merged = pairs.groupby("lsoa21_code").filter(lambda g: len(g) > 1)
    assert len(merged) >= 2
    for lsoa21, group in merged.groupby("lsoa21_code"):
        best = population.loc[group["lsoa11_code"], "population"].idxmax()
        row = imd19.set_index("lsoa21_code").loc[lsoa21]
        assert row["source_lsoa11_code"] == best and row["imd_rank"] == population.loc[best, "imd_rank"]
    assert len(public.imd_for_lsoa21(2019, data_dir=public_data_dir)) == 33_755
    imd25 = public.imd_for_lsoa21(2025, LEEDS, data_dir=public_data_dir).set_index("lsoa21_code")
    direct = public.load_imd(2025, LEEDS, data_dir=public_data_dir).set_index("lsoa_code")
    assert (imd25["imd_rank"] == direct.loc[imd25.index, "imd_rank"]).all()


@real_data
def test_lookups(public_data_dir):
    lsoa11 = public.load_lsoa_lookup(2011, LEEDS, data_dir=public_data_dir)
    lsoa21 = public.load_lsoa_lookup(2021, LEEDS, data_dir=public_data_dir)
    for frame, rows in ((lsoa11, 482), (lsoa21, 488)):
        assert list(frame.columns) == [f"{p}_{n}" for p in ("lsoa", "ward", "lad") for n in ("code", "name")]
        assert len(frame) == rows and frame["lsoa_code"].is_unique and frame["ward_code"].nunique() == 33
    changes = public.load_lsoa11_to_lsoa21(LEEDS, data_dir=public_data_dir)["change_code"].value_counts()
    assert changes.to_dict() == {"U": 473, "S": 14, "M": 2}
    west_yorkshire = load_place("leeds").ring("west_yorkshire").lad_codes
    assert set(public.load_lsoa_lookup(2021, west_yorkshire, data_dir=public_data_dir)["lad_code"]) == set(
        west_yorkshire
    )
    with pytest.raises(ValueError, match="E99999999"):
        public.load_lsoa_lookup(2021, [LEEDS, "E99999999"], data_dir=public_data_dir)


@real_data
def test_boundaries(public_data_dir):
    layers = {
        "lsoa 2011": (public.load_lsoa_boundaries(2011, data_dir=public_data_dir), 482, "lsoa"),
        "lsoa 2021": (public.load_lsoa_boundaries(2021, LEEDS, data_dir=public_data_dir), 488, "lsoa"),
        "wards": (public.load_ward_boundaries(data_dir=public_data_dir), 33, "ward"),
        "lad": (public.load_lad_boundaries(data_dir=public_data_dir), 1, "lad"),
    }
    for name, (frame, features, prefix) in layers.items():
        assert frame.crs.to_epsg() == 27700, name
        assert len(frame) == features, name
        assert list(frame.columns) == [f"{prefix}_code", f"{prefix}_name", "geometry"], name
        assert 540 <= frame.area.sum() / 1e6 <= 560, name
    lookup21 = public.load_lsoa_lookup(2021, LEEDS, data_dir=public_data_dir)
    assert set(layers["lsoa 2021"][0]["lsoa_code"]) == set(lookup21["lsoa_code"])
    assert set(layers["wards"][0]["ward_code"]) == set(lookup21["ward_code"])
    uk = public.load_lad_boundaries("uk", data_dir=public_data_dir)
    assert len(uk) == 361 and uk.crs.to_epsg() == 27700
    ring = load_place("leeds").ring("west_yorkshire").lad_codes
    ring_lads = public.load_lad_boundaries("uk", ring, data_dir=public_data_dir)
    assert sorted(ring_lads["lad_code"]) == sorted(ring)


@real_data
def test_postcode_lookup(public_data_dir):
    region = public.load_postcode_lookup(data_dir=public_data_dir)
    assert len(region) == 135_044 and region["postcode"].is_unique
    civic_hall = region.set_index("postcode").loc["LS1 1UR"]
    assert civic_hall["lad24_code"] == LEEDS and civic_hall["ward24_name"] == "Little London & Woodhouse"
    assert region["lad24_code"].dtype == "category" and region["imd2025_decile"].dtype == "Int64"
    unlocated = region["latitude"].isna()
    assert unlocated.sum() == 265 and region.loc[unlocated, "longitude"].isna().all()
    place = public.load_postcode_lookup("place", data_dir=public_data_dir)
    assert len(place) == 33_806 and place["in_leeds_la"].sum() == 30_679
    columns = ["postcode", "lsoa21_code"]
    leeds = public.load_postcode_lookup("region", columns, LEEDS, data_dir=public_data_dir)
    assert list(leeds.columns) == ["postcode", "lsoa21_code"] and leeds["lsoa21_code"].nunique() == 488


@real_data
def test_birmingham_boundaries_and_postcodes(public_data_dir):
    """shared/data/public/birmingham/PROVENANCE.md: 639 and 659 LSOAs, 69 wards, 135,856 postcodes of which
    34,915 in Birmingham covering every LSOA 2021 and ward; the seven West Midlands authorities all have postcodes."""
    brum = load_place("birmingham")
    lsoa11 = public.load_lsoa_boundaries(2011, data_dir=public_data_dir, place=brum)
    lsoa21 = public.load_lsoa_boundaries(2021, brum.local_authority_code, public_data_dir, brum)
    wards = public.load_ward_boundaries(data_dir=public_data_dir, place=brum)
    outline = public.load_lad_boundaries(data_dir=public_data_dir, place=brum)
    assert (len(lsoa11), len(lsoa21), len(wards), len(outline)) == (639, 659, 69, 1)
    for frame in (lsoa11, lsoa21, wards, outline):
        assert frame.crs.to_epsg() == 27700 and frame.geometry.is_valid.all()
        assert 260 <= frame.area.sum() / 1e6 <= 275
    assert list(wards.columns) == ["ward_code", "ward_name", "geometry"]
    assert set(lsoa21["lsoa_code"]) == set(public.load_lsoa_lookup(2021, brum.local_authority_code,
                                                                   data_dir=public_data_dir)["lsoa_code"])
    assert set(lsoa11["lsoa_code"]) == set(public.load_imd(2019, brum.local_authority_code,
                                                           data_dir=public_data_dir)["lsoa_code"])
    region = public.load_postcode_lookup(data_dir=public_data_dir, place=brum)
    assert len(region) == 135_856 and region["postcode"].is_unique and region["latitude"].isna().sum() == 286
    own = public.load_postcode_lookup("place", data_dir=public_data_dir, place=brum)
    assert len(own) == 34_915 and own["in_birmingham_la"].all()
    assert set(own["lsoa21_code"]) == set(lsoa21["lsoa_code"]) and set(own["ward24_code"]) == set(wards["ward_code"])
    assert set(brum.ring("west_midlands").lad_codes) <= set(region["lad24_code"].astype(str))


@real_data
def test_spending(public_data_dir):
    detailed = public.load_spending("detailed", data_dir=public_data_dir)
    assert len(detailed) == 372_237 and "net_amount_gbp" not in detailed.columns
    assert pd.api.types.is_datetime64_any_dtype(detailed["payment_date"])
    assert detailed["amount_gbp"].dtype == "float64"
    basic = public.load_spending("basic", ["payment_date", "amount_gbp"], data_dir=public_data_dir)
    assert list(basic.columns) == ["payment_date", "amount_gbp"] and len(basic) == 2_830_020
    assert basic["payment_date"].min() == pd.Timestamp("2010-10-28")
    assert basic["payment_date"].max() == pd.Timestamp("2022-08-31")
    assert basic["amount_gbp"].notna().all()
