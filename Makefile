# One target per step. `make test` is the README's test command and what CI runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Real public data (IMD, boundaries, lookups, postcodes). Tests that need it skip, saying why, when unset.
export ANCHOR_ANALYSIS_PUBLIC_DATA ?=
# Notebooks run with their own folder as working directory: hand them an absolute path.
ifneq ($(strip $(ANCHOR_ANALYSIS_PUBLIC_DATA)),)
export ANCHOR_ANALYSIS_PUBLIC_DATA := $(abspath $(ANCHOR_ANALYSIS_PUBLIC_DATA))
endif

.PHONY: help venv test test-fast fuzz faults lint lab validate processed demo-data report bench bench-scale bench-report \
	bench-network bench-exports bench-suppliers clean

help:
	@echo "make venv       create or refresh the virtual environment ($(VENV)) and register its Jupyter kernel"
	@echo "make test       set up, then run every test (ruff, unit, doctests, architecture, notebooks), in"
	@echo "                $(TEST_JOBS) processes (TEST_JOBS=1 for one)"
	@echo "make test-fast  the unit tests and doctests only: no notebooks, no end-to-end report, no kill trials"
	@echo "make fuzz       the long fuzzing profile: 2,000 generated returns or ledgers per test (10,000 in all)"
	@echo "make faults     report and collect killed at 200 random moments each, and the lock tests"
	@echo "make lint       ruff check"
	@echo "make lab        JupyterLab on notebooks/ (export ANCHOR_ANALYSIS_PUBLIC_DATA first)"
	@echo "make validate   validate the demo network in data/raw/demo"
	@echo "make processed  build (or reuse) the demo network's derived tables in data/processed/demo"
	@echo "make demo-data  regenerate the synthetic demo networks: Leeds, Birmingham, West Midlands (needs the public data)"
	@echo "make report     the 2024/25 network impact report of the demo network in outputs/ (HTML, PDF via Chromium)"
	@echo "make bench      every benchmark: spend (the kit vs plain pandas, 1M and 10M-line ledgers), the report, and"
	@echo "                the report on a 10M-line network (all need ANCHOR_ANALYSIS_PUBLIC_DATA)"
	@echo "make bench-scale   the kit's classification beside bare Polars and DuckDB's scan at 1M, 10M and 100M lines"
	@echo "                (100M as Parquet, generated once into ~/.cache/anchor-analysis/bench), validation and re-runs"
	@echo "make bench-report  the report run on the demo network vs its floor, and --years 2019-2024 with --jobs 2 vs 1"
	@echo "make bench-network the report on a network of 10M ledger lines in files by anchor and quarter: peak memory"
	@echo "                and the year totals of sections 1 and 3 and the anchor profile"
	@echo "make bench-exports a finance export taken in through its preset vs the same lines in the contract's shape"
	@echo "make bench-suppliers supplier resolution: precision and recall on the demo truth, the council's 2019/20 ledger vs 60 s"

# Re-installs whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (anchor-analysis)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

# Test files are spread over TEST_JOBS processes (pytest-xdist), each file kept whole in one (--dist loadfile: a
# module's fixtures, such as the report built once for test_report_demo.py, are built once).
TEST_JOBS ?= 2
PYTEST_JOBS := $(if $(filter 1,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)
# What test-fast leaves out: kernels and browsers (notebooks, the end-to-end report) and the kill trials.
SLOW_TESTS := tests/test_notebooks_run.py tests/test_report_demo.py tests/test_kills.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_JOBS)

test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_JOBS) $(addprefix --ignore=,$(SLOW_TESTS))

# Seeded afresh each run (the suite's short profile, 40 per test, is the same every run). About 15 minutes.
fuzz: $(STAMP)
	ANCHOR_ANALYSIS_FUZZ_EXAMPLES=2000 $(BIN)/python -m pytest -p no:cacheprovider tests/test_fuzz.py

# The suite kills each command 50 times; this 200 times. About 30 minutes.
faults: $(STAMP)
	ANCHOR_ANALYSIS_KILL_TRIALS=200 $(BIN)/python -m pytest -p no:cacheprovider -s tests/test_kills.py tests/test_locks.py

# Notebooks run in notebooks/: the Makefile has already made ANCHOR_ANALYSIS_PUBLIC_DATA absolute for them.
# More options with LAB_ARGS, e.g. make lab LAB_ARGS="--no-browser --port 8890".
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

validate: $(STAMP)
	$(BIN)/anchor-analysis validate data/raw/demo

processed: $(STAMP)
	$(BIN)/anchor-analysis process data/raw/demo

demo-data: $(STAMP)
	$(BIN)/anchor-analysis demo-data --network leeds
	$(BIN)/anchor-analysis demo-data --network birmingham
	$(BIN)/anchor-analysis demo-data --network west_midlands

# Chromium prints the PDF. Installed with apt when missing and possible; if not, the HTML is still built and
# the PDF step fails with a message saying what to install (or set ANCHOR_ANALYSIS_CHROMIUM).
report: $(STAMP)
	-@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  command -v google-chrome >/dev/null 2>&1 || test -n "$$ANCHOR_ANALYSIS_CHROMIUM" || \
	  { command -v apt-get >/dev/null 2>&1 && (apt-get update && apt-get install -y chromium); } || \
	  echo "Chromium not installed: the HTML report will be built, the PDF step will fail"
	$(BIN)/anchor-analysis report --year 2024 --data-dir data/raw/demo --out outputs --formats html,pdf

# The scale benchmark (see bench-scale), then 1M- and 10M-line ledgers against plain pandas (bench_spend.py), then
# the report benchmark (see bench-report), then the 10M-line network (bench-network), then the exports. All run; the
# target fails when any misses a target.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py; scale=$$?; \
	$(BIN)/python benchmarks/bench_spend.py; spend=$$?; \
	$(BIN)/python benchmarks/bench_report.py; report=$$?; \
	$(BIN)/python benchmarks/bench_network.py; network=$$?; \
	$(BIN)/python benchmarks/bench_exports.py; exports=$$?; \
	$(BIN)/python benchmarks/bench_suppliers.py; suppliers=$$?; \
	test $$scale -eq 0 && test $$spend -eq 0 && test $$report -eq 0 && test $$network -eq 0 && test $$exports -eq 0 && \
	  test $$suppliers -eq 0

# 1M and 10M-line CSV ledgers and a 10M-line network folder in a temporary folder (about 3 GB), the 100M-line Parquet
# ledger generated once into the cache (1.1 GB, about 30 s); prints every ratio with PASS/FAIL. About 5 minutes.
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py

# `anchor-analysis report` on the demo network (one year, HTML and PDF) against its floor (the same run with notebooks
# that only import and replay outputs), and --years 2019-2024 with --jobs 2 against --jobs 1. About 12 minutes.
bench-report: $(STAMP)
	$(BIN)/python benchmarks/bench_report.py

# Generates a 10M-line ledger folder (about 1 GB) beside a copy of the demo returns and runs the report on it.
bench-network: $(STAMP)
	$(BIN)/python benchmarks/bench_network.py

# A 1M- and a 4M-line council export (title rows, DD/MM/YYYY, £ amounts, a Total footer) against the same lines in
# the contract's shape: time and peak memory of `process`, and that the reconciliation reads every line written.
bench-exports: $(STAMP)
	$(BIN)/python benchmarks/bench_exports.py

# Supplier resolution: precision and recall on the three demo networks' known truth (Splink beside it when
# installed), and the time to resolve Leeds City Council's 2019/20 ledger against 60 s. About a minute.
bench-suppliers: $(STAMP)
	$(BIN)/python benchmarks/bench_suppliers.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
