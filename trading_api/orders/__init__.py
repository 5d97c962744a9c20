"""Orders: request parsing into engine units, pre-trade risk checks, the path to the engine."""
