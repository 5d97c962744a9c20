# The two commands of the README. Each bootstraps whatever is missing.
.PHONY: demo test setup lint engine-check

# Shared by every clone, so that an unchanged engine is not compiled again.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/xi/cargo-target

demo: setup
	.venv/bin/xi demo

test: setup lint engine-check
	.venv/bin/xi stack up
	.venv/bin/pytest

setup:
	bin/bootstrap
	.venv/bin/xi setup

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

engine-check:
	cd engine && cargo fmt --check
	cd engine && cargo clippy --locked --all-targets -- -D warnings
	cd engine && cargo test --release --locked
