# codemock developer commands. `make test` is what CI runs (.ci/run) and what the README promises.

CARGO ?= cargo
VENV  := .venv
CLI_VENV := .venv-cli
PY    := $(VENV)/bin/python

.PHONY: dev test test-rust test-sdk test-python test-js codegen codegen-check run bench fmt lint clean

## Everything a change must pass before it lands: format, lints, all tests.
dev: fmt lint test

## All tests: Rust unit and wire tests, the official Rust SDK (sdk-compat), boto3 and CBOR checks
## against the binary, and the generated code check. Installs the Python tools it needs in .venv.
test: test-rust test-python test-js codegen-check

test-rust:
	$(CARGO) build -p codemock --bins
	$(CARGO) test --workspace

## Only the official SDK checks.
test-sdk:
	$(CARGO) test -p sdk-compat

test-python: $(VENV)/.installed $(CLI_VENV)/.installed
	$(CARGO) build -p codemock --bins
	CODEMOCK_BIN=$(CURDIR)/target/debug/codemock CODEMOCK_AWS_CLI=$(CURDIR)/$(CLI_VENV)/bin/aws \
		$(VENV)/bin/pytest -q sdk-compat/python

# The AWS CLI v1 pins its own botocore, which conflicts with boto3 1.44.5: it gets a venv of its own.
$(CLI_VENV)/.installed: sdk-compat/python/requirements-cli.txt
	python3 -m venv $(CLI_VENV)
	$(CLI_VENV)/bin/pip install -q --disable-pip-version-check -r sdk-compat/python/requirements-cli.txt
	touch $@

## The AWS SDK for JavaScript v3 against the binary (installs its packages with npm ci).
test-js: sdk-compat/js/node_modules/.installed
	$(CARGO) build -p codemock --bins
	cd sdk-compat/js && ../../scripts/with-server node --test

sdk-compat/js/node_modules/.installed: sdk-compat/js/package-lock.json
	cd sdk-compat/js && npm ci --no-audit --no-fund --silent
	touch $@

$(VENV)/.installed: sdk-compat/python/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r sdk-compat/python/requirements.txt
	touch $@

## Regenerates the wire types from botocore 1.44.5 (installed into .venv for the purpose).
codegen: $(VENV)/.installed
	$(PY) codegen/generate.py

## Fails when the committed generated code differs from a fresh generation.
codegen-check: $(VENV)/.installed
	$(PY) codegen/generate.py --check

## Runs the server on port 4566 (realtime clock, 60x).
run:
	$(CARGO) run --release -p codemock

## Start-up and memory; p50, p99 and throughput of a bare hyper server (the floor), ListPipelines
## and PutEvents with 1 and 1,000 rules, with codemock's ratios to the floor, printed as tables;
## then PutEvents latency and in-process matching with 1, 100 and 1,000 rules, and S3
## PutObject/GetObject throughput with peak RSS during a 1 GiB upload; CodeBuild, CodePipeline and a
## 100-instance HalfAtATime CodeDeploy deployment. About a minute of run time.
bench:
	$(CARGO) build --release -p codemock --bins
	$(CARGO) bench -p codemock --bench harness
	$(CARGO) bench -p codemock --bench codebuild
	$(CARGO) test --release -p codemock --test wire -- --ignored --nocapture --test-threads 1 put_events_latency s3_bench
	$(CARGO) test --release -p codemock --test wire -- --nocapture --test-threads 1 bench_a_100_instance_half_at_a_time

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf $(VENV) $(CLI_VENV) sdk-compat/js/node_modules
