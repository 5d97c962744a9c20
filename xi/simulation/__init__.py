"""The market simulator: a living market of agents plus injected, exactly labelled abuse.

`generate.simulate(config)` is a pure function of its configuration: it returns the command
stream (engine commands stamped with simulated time) and the ground-truth labels. `runner`
sends the stream through the engine (straight to `orders.v1` or through the trading API) and
`summary` counts what the engine made of it.
"""
