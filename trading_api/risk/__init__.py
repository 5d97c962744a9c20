"""Risk: deterministic pre-trade checks now; the served risk model's score joins them later."""
