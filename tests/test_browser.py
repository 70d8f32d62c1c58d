"""Main journeys in a real headless Chromium against a running server."""
from __future__ import annotations

import time

import pytest

from tests.browser import browser_page, streamlit_server, wait_idle
from tests.conftest import SAMPLE, real

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with streamlit_server(tmp_path_factory.mktemp("data")) as url:
        yield url


def test_opens_on_the_labelled_sample_account(server, tmp_path):
    with browser_page() as page:
        page.goto(server)
        wait_idle(page)
        page.get_by_text("示例账户").first.wait_for(timeout=30000)
        page.get_by_text("消费最高的推广计划").wait_for(timeout=30000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
        page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)


def test_upload_a_file_and_see_its_summary(server, tmp_path):
    with browser_page() as page:
        page.goto(server + "/upload")
        wait_idle(page)
        page.locator("input[type=file]").set_input_files(
            [str(real("google_ads/towing-no-1__Search_keyword_report.csv")),
             str(SAMPLE / "baidu_plan_report.csv")])
        page.get_by_text("已识别的文件").wait_for(timeout=60000)
        wait_idle(page)
        grid = page.locator("[data-testid=stDataFrame]").first
        grid.wait_for(timeout=30000)
        page.get_by_text("当前账户数据").wait_for(timeout=30000)
        assert page.locator("[data-testid=stException]").count() == 0
        assert page.locator("[data-testid=stAlertContentError]").count() == 0
        page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
        # the overview (reached inside the same session) now shows the uploaded data
        page.get_by_test_id("stPageLink-NavLink").filter(has_text="账户概览").click()
        page.get_by_text("消费最高的推广计划").wait_for(timeout=60000)
        wait_idle(page)
        assert page.get_by_text("示例账户").count() == 0


def test_phone_viewport_renders_overview(server, tmp_path):
    with browser_page(width=390, height=844) as page:
        page.goto(server)
        wait_idle(page)
        page.get_by_text("消费最高的推广计划").wait_for(timeout=60000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
        # a phone shows one column: the metrics stack instead of overflowing sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)


def test_keywords_page_journey(server, tmp_path):
    with browser_page() as page:
        page.goto(server)
        wait_idle(page)
        page.get_by_test_id("stSidebarNavLink").filter(has_text="关键词分组").click()
        page.get_by_text("各阶段表现").wait_for(timeout=60000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
        page.get_by_role("tab", name="否定关键词").click()
        page.get_by_text("建议加为否定关键词", exact=False).wait_for(timeout=30000)
        assert page.locator("[data-testid=stException]").count() == 0
        page.screenshot(path=str(tmp_path / "keywords.png"), full_page=True)
        # a stage filter survives a switch to English and back, relabelled each time
        page.get_by_role("tab", name="阶段表现").click()
        page.get_by_test_id("stMultiSelect").first.click()
        page.get_by_role("option", name="电话词").click()
        page.keyboard.press("Escape")
        wait_idle(page)
        page.get_by_test_id("stSidebarUserContent").get_by_text("English").click()
        page.get_by_text("Keywords by business line and decision stage").first.wait_for(timeout=60000)
        wait_idle(page)
        page.get_by_test_id("stMultiSelect").first.get_by_text("Phone", exact=True).wait_for(timeout=30000)
        page.get_by_test_id("stSidebarUserContent").get_by_text("中文").click()
        page.get_by_text("关键词按业务点与决策阶段分组").first.wait_for(timeout=60000)
        wait_idle(page)
        page.get_by_test_id("stMultiSelect").first.get_by_text("电话词", exact=True).wait_for(timeout=30000)
        assert page.locator("[data-testid=stException]").count() == 0


def test_a_page_url_opened_first_still_runs_through_the_app(tmp_path_factory):
    # a fresh server whose very first request is a page URL (a bookmark): the page must
    # get the app's navigation and language switch, not Streamlit's legacy pages/ mode
    with streamlit_server(tmp_path_factory.mktemp("fresh")) as url, browser_page() as page:
        page.goto(url + "/bundles")
        wait_idle(page)
        page.get_by_text("建议的投放包").wait_for(timeout=60000)
        nav = [a.inner_text() for a in page.get_by_test_id("stSidebarNavLink").all()]
        assert any("oCPC 投放包" in n for n in nav) and not any(n.strip() == "app" for n in nav)
        assert page.get_by_test_id("stRadio").count() >= 1


def test_cost_drift_journey(server, tmp_path):
    with browser_page() as page:
        page.goto(server + "/drift")
        wait_idle(page)
        page.get_by_text("异常（按已多花的钱排序）").wait_for(timeout=90000)
        page.get_by_text("主要来源").wait_for(timeout=60000)
        first = page.get_by_text("（账户）：").first.inner_text()
        # tick the third row of the flags grid (a canvas: click its row-selection cell)
        grid = page.locator("[data-testid=stDataFrame]").first
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 14, box["y"] + 35 * 3 + 17)
        wait_idle(page)
        page.wait_for_function("""first => !Array.from(document.querySelectorAll('strong'))
                                   .some(e => e.innerText === first)""", arg=first, timeout=30000)
        assert page.locator(".js-plotly-plot").count() >= 2
        assert page.locator("[data-testid=stException]").count() == 0
        page.get_by_text("超成本赔付预估").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "drift.png"), full_page=True)


def test_cost_drift_on_a_phone(server, tmp_path):
    with browser_page(width=390, height=844) as page:
        page.goto(server + "/drift")
        wait_idle(page)
        page.get_by_text("主要来源").wait_for(timeout=90000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("[data-testid=stException]").count() == 0


def test_landing_pages_journey(server, tmp_path):
    with browser_page() as page:
        page.goto(server + "/landing")
        wait_idle(page)
        page.get_by_text("落地页一览（红色优先）").wait_for(timeout=90000)
        page.get_by_text("页面详情").wait_for(timeout=60000)
        # the page details (the grid's hidden accessible cells say it too)
        page.get_by_test_id("stMarkdown").get_by_text("转化率自 11-08 起下降 33%").first.wait_for(timeout=60000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
        assert page.locator("[data-testid=stException]").count() == 0
        page.screenshot(path=str(tmp_path / "landing.png"), full_page=True)


def test_a_share_link_opens_the_client_view_on_a_phone(tmp_path_factory, tmp_path):
    import ui
    from datetime import date
    from optimizer.store import auth
    from optimizer.store.database import Store

    data = tmp_path_factory.mktemp("shared")
    with Store.open(None, data) as s:
        ui.seed_sample(s)
        ws = s.get_workspace(int(s.setting(ui.SAMPLE_SETTING)))
        s.add_note(ws.id, date(2026, 11, 20), "暂停了“开锁多少钱”等询价词：花钱多、来电少。")
        admin = auth.create_user(s, "admin", "correct horse battery", "admin")
        _, token = auth.create_share(s, admin, ws.id, label="给王老板")
    with streamlit_server(data) as url, browser_page(width=390, height=844) as page:
        page.goto(f"{url}/?share={token}")
        wait_idle(page)
        page.get_by_text("每条线索成本").first.wait_for(timeout=60000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
        page.get_by_text("优化师做了哪些调整、为什么").wait_for(timeout=30000)
        page.get_by_text("暂停了“开锁多少钱”等询价词").wait_for(timeout=30000)
        assert page.get_by_text(ws.name).count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
        assert page.locator("input[type=file]").count() == 0  # no upload
        assert page.get_by_test_id("stSidebarNavLink").count() == 0  # no other page
        assert page.locator("[data-testid=stException]").count() == 0
        page.screenshot(path=str(tmp_path / "client_phone.png"), full_page=True)
        # a wrong token gets a plain refusal and nothing else
        page.goto(f"{url}/?share={auth.new_token()}")
        wait_idle(page)
        page.get_by_text("这个链接无效").wait_for(timeout=30000)
        assert page.locator(".js-plotly-plot").count() == 0


def test_a_page_address_signed_out_asks_to_sign_in_and_then_opens_that_page(tmp_path_factory):
    # once accounts exist, a bookmark or a refresh of /keywords shows the sign-in form (not
    # Streamlit's English "page not found"), and signing in there opens the keywords page
    from optimizer.store import auth
    from optimizer.store.database import Store

    data = tmp_path_factory.mktemp("signin")
    with Store.open(None, data) as s:
        auth.create_user(s, "wang", "correct horse battery", "admin")
    with streamlit_server(data) as url, browser_page() as page:
        page.goto(url + "/keywords")
        wait_idle(page)
        page.get_by_text("登录").first.wait_for(timeout=60000)
        assert page.get_by_text("Page not found").count() == 0
        page.get_by_label("用户名").fill("wang")
        page.get_by_label("密码").fill("correct horse battery")
        page.get_by_role("button", name="登录").click()
        wait_idle(page)
        page.get_by_text("关键词按业务点与决策阶段分组").first.wait_for(timeout=60000)
        assert page.url.split("?")[0].rstrip("/").endswith("/keywords")
        assert page.get_by_text("Page not found").count() == 0


def test_a_refresh_keeps_a_local_sign_in_until_sign_out(tmp_path_factory):
    # signing in hands the browser an HttpOnly session cookie (asgi.py): a reload stays
    # signed in; signing out ends the session and clears the cookie, and a reload asks again
    from optimizer.store import auth
    from optimizer.store.database import Store

    data = tmp_path_factory.mktemp("refresh")
    with Store.open(None, data) as s:
        auth.create_user(s, "wang", "correct horse battery", "admin")
    with streamlit_server(data) as url, browser_page() as page:
        page.goto(url + "/keywords")
        wait_idle(page)
        page.get_by_label("用户名").fill("wang")
        page.get_by_label("密码").fill("correct horse battery")
        page.get_by_role("button", name="登录").click()
        wait_idle(page)
        page.get_by_text("已登录：wang").wait_for(timeout=60000)

        def session_cookie():
            return next((c for c in page.context.cookies() if c["name"] == auth.SESSION_COOKIE), None)

        deadline = time.time() + 10
        while session_cookie() is None and time.time() < deadline:
            time.sleep(0.1)
        c = session_cookie()
        assert c is not None and c["httpOnly"] and c["sameSite"] == "Strict" and c["path"] == "/"
        assert auth.SESSION_COOKIE not in page.evaluate("document.cookie")  # no script can read it

        page.reload()
        wait_idle(page)
        page.get_by_text("已登录：wang").wait_for(timeout=60000)
        page.get_by_text("关键词按业务点与决策阶段分组").first.wait_for(timeout=60000)
        assert page.get_by_label("密码").count() == 0

        page.get_by_role("button", name="退出登录").click()
        wait_idle(page)
        page.get_by_label("密码").wait_for(timeout=60000)
        deadline = time.time() + 10
        while session_cookie() is not None and time.time() < deadline:
            time.sleep(0.1)
        assert session_cookie() is None
        page.reload()
        wait_idle(page)
        page.get_by_label("密码").wait_for(timeout=60000)
        assert page.get_by_text("已登录：wang").count() == 0
        assert page.get_by_text("登录已过期").count() == 0


def test_the_chosen_account_survives_a_language_switch(server):
    with browser_page() as page:
        page.goto(server)
        wait_idle(page)
        page.get_by_text("消费最高的推广计划").wait_for(timeout=60000)
        page.get_by_role("combobox", name="账户", exact=True).click()
        page.get_by_role("option").filter(has_text="Google").click()
        wait_idle(page)
        page.get_by_test_id("stSidebarUserContent").get_by_text("English").click()
        page.get_by_role("combobox", name="Account", exact=True).wait_for(timeout=60000)
        wait_idle(page)
        assert page.get_by_role("combobox", name="Account", exact=True).input_value().startswith("Google Ads")
        page.get_by_test_id("stSidebarUserContent").get_by_text("中文").click()
        page.get_by_role("combobox", name="账户", exact=True).wait_for(timeout=60000)
        wait_idle(page)
        assert page.get_by_role("combobox", name="账户", exact=True).input_value().startswith("Google Ads")
        assert page.locator("[data-testid=stException]").count() == 0
