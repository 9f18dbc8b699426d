"""The Reports page in Chromium at tablet size as the commune leader: the choices fit, the PDF is made
and its download button appears under the button that made it; a screenshot for a reviewer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.i18n import t
from tests.browser.conftest import wait_idle
from tests.browser.test_quotas_layout import no_horizontal_scroll, open_as

pytestmark = pytest.mark.browser


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def test_the_leader_makes_last_weeks_pdf_at_tablet_width(page: Page, demo_app, shot):
    page.set_viewport_size({"width": 768, "height": 1024})
    open_as(page, demo_app, "leader", "nav.reports")
    expect(page.get_by_text(vi("report.p.last_week"), exact=True)).to_be_visible()
    page.get_by_role("button", name=vi("report.make_pdf")).click()
    download = page.get_by_role("button", name=vi("report.download", name="")[:3], exact=False)
    expect(download.first).to_be_visible(timeout=90_000)
    wait_idle(page)
    no_horizontal_scroll(page)
    box = download.first.bounding_box()
    assert box["y"] + box["height"] <= 1024  # the download is on screen, not below the fold
    shot(page, "reports-leader-pdf-768x1024")
