"""A serving process's heap: settled (engine warmed, objects frozen) at start and again after a reload."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from matcher.service import Settings, create_app
from matcher.service.memory import settle_heap, unsettle_heap
from matcher.service.state import EngineSlot
from tests.matcher.service.test_app import catalog_copy

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

FIRM = {"firm": {"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24", "employees": 20,
                 "needs": ["trade_fair"], "description": "金属加工。展示会に出展したい"}, "as_of": "2026-11-21"}


@pytest.fixture(autouse=True)
def _unfrozen():
    yield
    unsettle_heap()


def test_settle_heap_freezes_what_the_process_holds_and_unsettle_gives_it_back():
    unsettle_heap()
    assert gc.get_freeze_count() == 0
    assert settle_heap() == gc.get_freeze_count() > 0
    unsettle_heap()
    assert gc.get_freeze_count() == 0


def test_a_settled_service_answers_as_an_unsettled_one(engine):
    plain = TestClient(create_app(Settings(), engine=engine)).post("/v1/rank", json=FIRM)
    assert gc.get_freeze_count() == 0  # only a serving process settles its heap
    with TestClient(create_app(Settings(), engine=engine, settle_heap=True)) as c:
        assert gc.get_freeze_count() > 0
        settled = c.post("/v1/rank", json=FIRM)
    assert settled.status_code == plain.status_code == 200
    assert settled.content == plain.content


def test_after_a_reload_the_old_engine_is_collected_and_the_heap_settled_again(tmp_path):
    catalog = catalog_copy(tmp_path)
    slot = EngineSlot(catalog=catalog, settled=True)
    slot.load()
    settle_heap(slot.current.engine)
    kita = catalog / "kita.yaml"
    kita.write_text(kita.read_text(encoding="utf-8").replace("200000", "250000"), encoding="utf-8")

    async def reload() -> weakref.ref:
        new, old, _ = await slot.reload()
        gone = weakref.ref(old.engine)
        assert gc.get_freeze_count() == 0  # unfrozen, so that the old engine can be collected
        del new, old
        await slot.settling()
        return gone

    gone = asyncio.run(reload())
    assert gone() is None
    assert gc.get_freeze_count() > 0
