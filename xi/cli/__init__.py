"""The `xi` command line."""
