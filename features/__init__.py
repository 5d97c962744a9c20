"""The Feast repository of the platform: entities, sources, feature views and services."""
