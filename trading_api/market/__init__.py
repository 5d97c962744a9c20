"""Public market data: order books from book.v1, trades from trades.v1, klines and tickers."""
