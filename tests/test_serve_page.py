"""The page at `/`, used as a person would: in headless Chromium against the real server.

It pastes the example document into the textarea, segments it, checks that
each paragraph is shown coloured by its label and that "Show the article
alone" hides the other paragraphs, and saves a screenshot to
tests/artifacts/page.png. It needs Debian's chromium and chromium-driver;
without them it fails and says how to install them.
"""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Iterator

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from test_serve_http import running_server

FIXTURES = Path(__file__).parent / "fixtures"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
# The page's colours (serve/static/index.html), as the browser computes them.
BACKGROUND = {"article": "rgba(217, 242, 217, 1)", "donation_appeal": "rgba(255, 233, 184, 1)",
              "ad": "rgba(255, 214, 214, 1)", "headline_teaser": "rgba(214, 230, 255, 1)",
              "boilerplate": "rgba(236, 236, 236, 1)"}


@pytest.fixture(scope="module")
def page_url(model_dir, tmp_path_factory) -> Iterator[str]:
    log_path = tmp_path_factory.mktemp("page-server") / "server.log"
    with running_server(model_dir, log_path, "--workers", "1") as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: the page test needs Debian's Chromium and its driver; "
                    f"install them with `{INSTALL}` (as root)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1280,900")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def segment_in_page(browser) -> WebElement:
    """Press Segment and wait for the page to say how it went; its status line."""
    browser.find_element(By.ID, "segment").click()
    status = browser.find_element(By.ID, "status")
    WebDriverWait(browser, 30).until(lambda _: "paragraphs, model" in status.text or "error" in
                                     (status.get_attribute("class") or ""))
    return status


def test_a_pasted_document_is_shown_coloured_by_label_and_can_be_cut_to_its_article(page_url, browser):
    text = (FIXTURES / "moscow-times.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    expected = requests.post(page_url + "/segment", json={"text": text}, timeout=60).json()

    browser.get(page_url + "/")
    assert browser.title == "winnow"
    textarea = browser.find_element(By.ID, "input")
    textarea.send_keys(text)
    assert textarea.get_property("value").strip() == text.strip()
    toggle = browser.find_element(By.ID, "article-only")
    assert not toggle.is_enabled()  # nothing to cut before a result

    status = segment_in_page(browser)
    assert status.text.startswith(f"{len(lines)} paragraphs, model "), status.text

    rows = browser.find_elements(By.CSS_SELECTOR, "#paragraphs .paragraph")
    assert [row.find_element(By.CLASS_NAME, "text").text for row in rows] == lines
    labels = []
    for row, paragraph in zip(rows, expected["paragraphs"]):
        label = paragraph["label"]
        labels.append(label)
        assert row.get_attribute("class").split() == ["paragraph", label]
        assert row.value_of_css_property("background-color") == BACKGROUND[label]
        assert row.find_element(By.CLASS_NAME, "tag").text.startswith(label.replace("_", " ") + " · ")
    # The example opens with the article and carries a donation appeal, each in its own colour.
    assert labels[0] == "article"
    appeal = lines.index("Dear readers,")
    assert labels[appeal] == "donation_appeal"
    assert rows[0].value_of_css_property("background-color") != \
        rows[appeal].value_of_css_property("background-color")

    ARTIFACTS.mkdir(exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, max(800, height + 100))
    assert browser.save_screenshot(str(ARTIFACTS / "page.png"))

    toggle.click()
    assert toggle.is_selected()
    article_view = browser.find_element(By.ID, "article-view")
    assert article_view.is_displayed()
    assert not any(row.is_displayed() for row, label in zip(rows, labels) if label != "article")
    shown = article_view.text
    assert lines[0] in shown and "Dear readers," not in shown
    assert shown.split("\n\n") == [p["text"] for p in expected["paragraphs"] if p["label"] == "article"]

    toggle.click()
    assert not article_view.is_displayed()
    assert all(row.is_displayed() for row in rows)


def test_wrapped_text_with_blank_lines_parting_paragraphs_is_read_as_those_paragraphs(page_url, browser):
    lines = [line.strip() for line in (FIXTURES / "moscow-times.txt").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    wrapped = "\n\n".join(textwrap.fill(line, 50) for line in lines)
    browser.get(page_url + "/")
    browser.find_element(By.ID, "input").send_keys(wrapped)
    browser.find_element(By.ID, "blank-lines").click()
    status = segment_in_page(browser)
    assert status.text.startswith(f"{len(lines)} paragraphs, model "), status.text
    rows = browser.find_elements(By.CSS_SELECTOR, "#paragraphs .paragraph")
    assert [row.find_element(By.CLASS_NAME, "text").text.replace("\n", " ") for row in rows] == \
        [textwrap.fill(line, 50).replace("\n", " ") for line in lines]


def test_uncertain_paragraphs_can_be_marked_and_an_error_clears_the_last_result(page_url, browser):
    text = (FIXTURES / "moscow-times.txt").read_text(encoding="utf-8")
    expected = requests.post(page_url + "/segment?flag_below=0.6", json={"text": text}, timeout=60).json()
    browser.get(page_url + "/")
    browser.find_element(By.ID, "input").send_keys(text)
    browser.find_element(By.ID, "flag").click()
    segment_in_page(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "#paragraphs .paragraph")
    marked = ["uncertain" in row.get_attribute("class").split() for row in rows]
    assert marked == [p["uncertain"] for p in expected["paragraphs"]]
    assert all(row.find_element(By.CLASS_NAME, "tag").text.endswith(" · uncertain")
               for row, flagged in zip(rows, marked) if flagged)

    # A document over the paragraph limit: the server refuses it.
    browser.execute_script("document.getElementById('input').value = 'a\\n'.repeat(20001)")
    status = segment_in_page(browser)
    assert "error" in status.get_attribute("class") and "20001 paragraphs" in status.text
    assert not browser.find_elements(By.CSS_SELECTOR, "#paragraphs .paragraph")
    assert not browser.find_element(By.ID, "download").is_enabled()
