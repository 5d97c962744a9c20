# The two commands of the README. Each bootstraps whatever is missing.
.PHONY: demo test setup lint engine-check

# Shared by every clone, so that an unchanged engine is not compiled again (as xi setup does).
ENGINE_CARGO = cd engine && CARGO_TARGET_DIR=$(HOME)/.cache/xi/cargo-target cargo

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
	$(ENGINE_CARGO) fmt --check
	$(ENGINE_CARGO) clippy --locked --all-targets -- -D warnings
	$(ENGINE_CARGO) test --release --locked
