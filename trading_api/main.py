"""The application: settings, clients and routers wired in one place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from trading_api import db, errors
from trading_api.api import openapi
from trading_api.api.limits import RequestLimits
from trading_api.api.routes import account, general, learning, market, orders, streams, user_stream
from trading_api.auth import SecretBox
from trading_api.learning import curriculum, search
from trading_api.learning.mastery import MasteryEstimator, ServedKnowledgeModel
from trading_api.learning.media import LocalMediaStore
from trading_api.market.service import MarketData
from trading_api.orders.runtime import order_path
from xi import clients
from xi.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = db.open_pool(settings.postgres_dsn)
        app.state.secret_box = SecretBox(settings.secret_key.get_secret_value())
        app.state.redis = clients.redis(settings)
        app.state.curriculum = curriculum.load()
        app.state.elasticsearch = clients.elasticsearch(settings)
        search.index_curriculum(app.state.elasticsearch, app.state.curriculum)
        knowledge_model = ServedKnowledgeModel(settings.model_server_rest_url)
        app.state.mastery = MasteryEstimator(app.state.curriculum, knowledge_model)
        app.state.media = LocalMediaStore(settings.lesson_media_dir)
        app.state.market = MarketData.start(settings, asyncio.get_running_loop())
        with order_path(settings, app.state.pool, app.state.redis) as app.state.orders:
            yield
        app.state.market.stop()
        knowledge_model.close()
        app.state.elasticsearch.close()
        app.state.redis.close()
        app.state.pool.close()

    app = FastAPI(title="Exchange intelligence platform", version="0.1.0", lifespan=lifespan)
    errors.install(app)
    app.add_middleware(RequestLimits, max_body_bytes=settings.api_max_body_bytes)
    app.include_router(general.router)
    app.include_router(learning.router)
    app.include_router(orders.router)
    app.include_router(account.router)
    app.include_router(market.router)
    app.include_router(user_stream.router)
    app.include_router(streams.router)
    openapi.install(app, settings.api_max_body_bytes)
    return app
