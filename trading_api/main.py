"""The application: settings, clients and routers wired in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from trading_api import db
from trading_api.api.routes import account, general, learning, orders
from trading_api.auth import SecretBox
from trading_api.errors import ApiError, api_error_handler
from trading_api.learning import curriculum, search
from trading_api.learning.mastery import MasteryEstimator, ServedKnowledgeModel
from trading_api.learning.media import LocalMediaStore
from trading_api.orders.runtime import order_path
from xi import clients
from xi.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = db.open_pool(settings.postgres_dsn)
        app.state.secret_box = SecretBox(settings.secret_key.get_secret_value())
        app.state.redis = clients.redis(settings)
        app.state.curriculum = curriculum.load()
        app.state.elasticsearch = clients.elasticsearch(settings)
        search.index_curriculum(app.state.elasticsearch, app.state.curriculum)
        knowledge_model = ServedKnowledgeModel(settings.model_server_rest_url)
        app.state.mastery = MasteryEstimator(app.state.curriculum, knowledge_model)
        app.state.media = LocalMediaStore(settings.lesson_media_dir)
        with order_path(settings, app.state.pool, app.state.redis) as app.state.orders:
            yield
        knowledge_model.close()
        app.state.elasticsearch.close()
        app.state.redis.close()
        app.state.pool.close()

    app = FastAPI(title="Exchange intelligence platform", version="0.1.0", lifespan=lifespan)
    app.add_exception_handler(ApiError, api_error_handler)
    app.include_router(general.router)
    app.include_router(learning.router)
    app.include_router(orders.router)
    app.include_router(account.router)
    return app
