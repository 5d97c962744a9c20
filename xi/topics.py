"""Kafka topic names. A breaking change to a message is a new topic version."""

ORDERS = "orders.v1"
EXECUTIONS = "executions.v1"
TRADES = "trades.v1"
BOOK = "book.v1"
LABELS = "labels.v1"

ALL = (ORDERS, EXECUTIONS, TRADES, BOOK, LABELS)
