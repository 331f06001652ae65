"""The search page, end to end in headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium; ``.ci/browser.sh`` installs them): search, filter, sort, compare, open a source passage
with the target marked. The server is the real app under uvicorn on 127.0.0.1."""

from __future__ import annotations

import os


def _required_extras() -> bool:
    """CI names the extras it installed (``PLANPARSE_REQUIRE_EXTRAS="… search …"``, or "1" for all)."""
    names = os.environ.get("PLANPARSE_REQUIRE_EXTRAS", "").replace(",", " ").split()
    return "1" in names or "search" in names
import socket
import threading
import time

import pytest

from search_fixture import chromium_paths, corpus_docs, require

require("fastapi", "search")
require("uvicorn", "search")
require("selenium", "test")

PATHS = chromium_paths()
if PATHS is None and _required_extras():
    pytest.fail("Debian chromium and chromium-driver not installed (bash .ci/browser.sh)", pytrace=False)
pytestmark = pytest.mark.skipif(PATHS is None, reason="Debian chromium and chromium-driver not installed (bash .ci/browser.sh)")

import uvicorn  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from planparse.search import Index  # noqa: E402
from planparse.search.server import create_app  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("web") / "plans.db"
    with Index(db) as idx:
        for doc in corpus_docs():
            idx.add(doc)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not t.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(10)


@pytest.fixture(scope="module")
def browser():
    os.environ.setdefault("SE_AVOID_STATS", "true")
    chromium, driver = PATHS
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
              "--window-size=1280,900", "--lang=vi"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(executable_path=driver), options=opts)
    d.set_page_load_timeout(30)
    yield d
    d.quit()


def wait(d, cond, timeout=15):
    return WebDriverWait(d, timeout).until(cond)


def results(d):
    return d.find_elements(By.CSS_SELECTOR, "#results > li")


def submit(d, field_id, text):
    box = d.find_element(By.ID, field_id)
    box.clear()
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def wait_for_search(d, before):
    wait(d, lambda d: d.find_element(By.ID, "status").text not in ("", "searching…", before))


def click(d, element):
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_search_filter_compare_and_open_the_source(server, browser, tmp_path):
    d = browser
    d.get(server + "/")
    wait(d, lambda d: "plans" in d.find_element(By.ID, "stats").text)
    assert f"{len(corpus_docs())} plans" in d.find_element(By.ID, "stats").text

    # words typed without accents find the accented text, marked
    submit(d, "q", "tre em co hoan canh dac biet")
    wait(d, lambda d: results(d))
    marks = [m.text for m in d.find_elements(By.CSS_SELECTOR, "#results mark")]
    assert "trẻ em có hoàn cảnh đặc biệt" in marks
    n_all = len(results(d))

    # a numeric filter: every value shown is ≥ 90
    status = d.find_element(By.ID, "status").text
    submit(d, "min", "90")
    wait_for_search(d, status)
    rows = results(d)
    assert 0 < len(rows) <= n_all
    assert all(float(r.get_attribute("data-value")) >= 90 for r in rows)
    assert "min=90" in d.current_url  # the state is in the address, to share

    # a province under its post-2025 name finds the plan issued under the old one, and says both
    status = d.find_element(By.ID, "status").text
    submit(d, "province", "Gia Lai")
    wait_for_search(d, status)
    rows = results(d)
    assert rows and all(r.get_attribute("data-doc") == "binh-dinh_2018_tro-giup-xa-hoi" for r in rows)
    assert "Bình Định → now Gia Lai" in rows[0].text

    # sort by value; compare two targets
    d.find_element(By.ID, "province").clear()
    status = d.find_element(By.ID, "status").text
    Select(d.find_element(By.ID, "sort")).select_by_value("value")
    wait_for_search(d, status)
    values = [float(r.get_attribute("data-value")) for r in results(d)]
    assert values == sorted(values, reverse=True)
    for cb in d.find_elements(By.CSS_SELECTOR, "#results input[type=checkbox]")[:2]:
        click(d, cb)
    assert len(d.find_elements(By.CSS_SELECTOR, "#ctable tbody tr")) == 2
    d.save_screenshot(str(tmp_path / "search.png"))

    # open the source passage: the target is marked and its value stands out
    first = results(d)[0]
    target_text = first.find_element(By.CSS_SELECTOR, ".text").text
    click(d, first.find_element(By.CSS_SELECTOR, "button.open"))
    mark = wait(d, EC.visibility_of_element_located((By.ID, "the-target")))
    assert " ".join(mark.text.split()) == " ".join(target_text.split())
    assert mark.find_element(By.TAG_NAME, "strong").text.replace(" ", "").startswith(str(int(values[0])))
    assert d.find_element(By.ID, "passage").is_displayed()
    assert "§" in d.find_element(By.ID, "ppath").text
    d.save_screenshot(str(tmp_path / "passage.png"))
    click(d, d.find_element(By.ID, "pclose"))
    assert not d.find_element(By.ID, "passage").is_displayed()


def test_a_malformed_query_shows_a_message(server, browser):
    d = browser
    d.get(server + "/")
    wait(d, lambda d: "plans" in d.find_element(By.ID, "stats").text)
    submit(d, "q", '"tre em')
    err = wait(d, EC.visibility_of_element_located((By.ID, "error")))
    assert "unbalanced quote" in err.text
    assert results(d) == []
