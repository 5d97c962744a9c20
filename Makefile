# The two commands of the README. Each bootstraps whatever is missing.
.PHONY: demo test setup lint

demo: setup
	.venv/bin/xi demo

test: setup lint
	.venv/bin/xi stack up
	.venv/bin/pytest

setup:
	bin/bootstrap
	.venv/bin/xi setup

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
