"""Lesson search in the real Elasticsearch finds lessons by words in their text."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from trading_api.learning import curriculum, search
from xi import clients
from xi.settings import Settings


@pytest.fixture(scope="module")
def es(running_stack: Settings) -> Elasticsearch:
    client = clients.elasticsearch(running_stack)
    search.index_curriculum(client, curriculum.load())
    return client


@pytest.mark.parametrize(
    ("words", "lesson"),
    [
        ("spoofing cancels", "market-abuse"),
        ("liquidation margin", "leverage"),
        ("cold storage", "custody"),
        ("immediate-or-cancel remainder", "order-types"),
    ],
)
def test_search_finds_lesson_by_words_in_its_text(es: Elasticsearch, words: str, lesson: str):
    hits = search.search_lessons(es, words)
    assert hits and hits[0].lesson == lesson
    assert any("<em>" in highlight for highlight in hits[0].highlights)


def test_search_for_absent_word_finds_nothing(es: Elasticsearch) -> None:
    assert search.search_lessons(es, "zeppelin") == []


def test_reindexing_an_unchanged_curriculum_keeps_the_index(es: Elasticsearch) -> None:
    before = es.indices.get(index=search.INDEX)[search.INDEX]["settings"]["index"]["uuid"]
    search.index_curriculum(es, curriculum.load())
    after = es.indices.get(index=search.INDEX)[search.INDEX]["settings"]["index"]["uuid"]
    assert before == after
