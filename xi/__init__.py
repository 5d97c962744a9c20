"""Shared plumbing of the platform: settings, topics, clients and the `xi` command line."""
