"""The application: settings, clients and routers wired in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from trading_api import db
from trading_api.api.routes import learning
from trading_api.errors import ApiError, api_error_handler
from trading_api.learning import curriculum, search
from trading_api.learning.mastery import ServedKnowledgeModel
from trading_api.learning.media import LocalMediaStore
from xi import clients
from xi.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = db.open_pool(settings.postgres_dsn)
        app.state.curriculum = curriculum.load()
        app.state.elasticsearch = clients.elasticsearch(settings)
        search.index_curriculum(app.state.elasticsearch, app.state.curriculum)
        app.state.knowledge_model = ServedKnowledgeModel(
            f"127.0.0.1:{settings.model_server_grpc_port}"
        )
        app.state.media = LocalMediaStore(settings.lesson_media_dir)
        yield
        app.state.knowledge_model.close()
        app.state.elasticsearch.close()
        app.state.pool.close()

    app = FastAPI(title="Exchange intelligence platform", version="0.1.0", lifespan=lifespan)
    app.add_exception_handler(ApiError, api_error_handler)
    app.include_router(learning.router)
    return app
