"""A commune tree and its coordinator, for the import tests."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def setup(engine):
    ids = f.create_tree(engine)
    coordinator = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    return engine, ids, coordinator
