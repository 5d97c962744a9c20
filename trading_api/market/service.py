"""Market data inside the API: the books, the stream hub and the feed threads that fill them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from trading_api.market.books import Books
from trading_api.market.consumer import BookFeed, Feed, TradeFeed
from trading_api.market.hub import Hub
from xi.settings import Settings


@dataclass
class MarketData:
    books: Books
    hub: Hub
    feeds: list[Feed]

    @classmethod
    def start(cls, settings: Settings, loop: asyncio.AbstractEventLoop) -> MarketData:
        books, hub = Books(), Hub(loop)
        feeds: list[Feed] = [BookFeed(settings, books, hub), TradeFeed(settings, hub)]
        for feed in feeds:
            feed.start()
        return cls(books, hub, feeds)

    def stop(self) -> None:
        for feed in self.feeds:
            feed.stopping.set()
        for feed in self.feeds:
            feed.stop()
