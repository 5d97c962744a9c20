"""The platform's Dagster code location: the lake, its bars and the Feast features."""

from dagster_project.definitions import defs

__all__ = ["defs"]
