"""Lesson search in Elasticsearch.

The local Elasticsearch is the slim distribution, so the mapping uses the built-in standard
analyzer; a full deployment can add an English analyzer with stemming and synonyms.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from elasticsearch import Elasticsearch, helpers

from trading_api.learning.curriculum import Curriculum

INDEX = "lessons"
MAPPINGS = {
    "properties": {
        "title": {"type": "text"},
        "text": {"type": "text"},
        "course": {"type": "keyword"},
        "skills": {"type": "keyword"},
    },
    "_meta": {},
}


@dataclass(frozen=True)
class SearchHit:
    lesson: str
    title: str
    score: float
    highlights: list[str]


def _documents(curriculum: Curriculum) -> list[dict]:
    return [
        {
            "_id": lesson.id,
            "title": lesson.title,
            "text": lesson.text,
            "course": lesson.course,
            "skills": list(lesson.skills),
        }
        for lesson in curriculum.syllabus
    ]


def index_curriculum(client: Elasticsearch, curriculum: Curriculum) -> None:
    """(Re)build the index when the curriculum's lessons changed; otherwise do nothing."""
    documents = _documents(curriculum)
    digest = hashlib.sha256(json.dumps(documents, sort_keys=True).encode()).hexdigest()
    if client.indices.exists(index=INDEX):
        meta = client.indices.get_mapping(index=INDEX)[INDEX]["mappings"].get("_meta", {})
        if meta.get("digest") == digest:
            return
        client.indices.delete(index=INDEX)
    client.indices.create(index=INDEX, mappings={**MAPPINGS, "_meta": {"digest": digest}})
    helpers.bulk(client, documents, index=INDEX, refresh="wait_for")


def search_lessons(client: Elasticsearch, query: str, size: int = 10) -> list[SearchHit]:
    response = client.search(
        index=INDEX,
        query={"multi_match": {"query": query, "fields": ["title^2", "text"]}},
        highlight={"fields": {"text": {}}},
        size=size,
    )
    return [
        SearchHit(
            lesson=hit["_id"],
            title=hit["_source"]["title"],
            score=hit["_score"],
            highlights=hit.get("highlight", {}).get("text", []),
        )
        for hit in response["hits"]["hits"]
    ]
