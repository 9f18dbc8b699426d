"""The certificates page in Chromium at tablet size as the coordinator: a village is chosen, who gets a
certificate and who still misses which skill are listed and fit the screen; a screenshot for a reviewer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.i18n import t
from tests.browser.conftest import wait_idle
from tests.browser.test_quotas_layout import no_horizontal_scroll, open_as
from tests.browser.test_signin import open_menu

pytestmark = pytest.mark.browser


def test_the_coordinator_sees_a_villages_certificates_at_tablet_width(page: Page, demo_app, shot):
    page.set_viewport_size({"width": 768, "height": 1024})
    open_as(page, demo_app, "coordinator")
    open_menu(page)
    page.get_by_test_id("stPopoverBody").get_by_role("link", name=t("cert.nav", "vi"), exact=True).click()
    expect(page.get_by_role("heading", name=t("cert.heading", "vi"), exact=True)).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_role("combobox", name=t("cert.village", "vi"))).to_be_visible()
    expect(page.get_by_text(t("cert.missing_heading", "vi"), exact=True)).to_be_visible(timeout=30_000)
    wait_idle(page)
    no_horizontal_scroll(page)
    shot(page, "certificates-coordinator-768x1024")
