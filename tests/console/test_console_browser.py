"""The console in a real headless Chromium against a live server: signing in with the keyboard,
working the worklists (a proposal confirmed; an approval refused below the level, run at it), a
position moved back in time. Screenshots of the main pages are saved under the test's tmp folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from tests.api.live_server import live_server
from tests.console.browser import chromium, screenshot, text_of
from tests.console.conftest import OWN, PASSWORD, Console, billing_workbook

pytestmark = pytest.mark.cli_or_api


@pytest.fixture
def site(console: Console) -> Iterator[str]:
    with live_server(console.app) as url:
        yield url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "chromium-profile") as driver:
        yield driver


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return tmp_path / "screenshots"


def sign_in_with_the_keyboard(browser: WebDriver, site: str, name: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{site}/console")
    assert browser.current_url.startswith(f"{site}/console/accesso")
    field = browser.switch_to.active_element  # the name field has the focus
    assert field.get_attribute("id") == "nome"
    field.send_keys(name, Keys.TAB)
    browser.switch_to.active_element.send_keys(PASSWORD, Keys.ENTER)
    assert text_of(browser, "#operatore") == name


def sign_out(browser: WebDriver) -> None:
    browser.find_element(By.CSS_SELECTOR, "header form button").click()
    # The click returns before the post's redirect has landed on a busy machine: wait for the page.
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/console/accesso"))
    assert browser.find_element(By.ID, "nome").is_displayed()


def test_an_operator_signs_in_and_confirms_a_proposal(browser: WebDriver, site: str, shots: Path) -> None:
    browser.get(f"{site}/console/accesso")
    screenshot(browser, shots, "01-accesso")
    browser.find_element(By.ID, "nome").send_keys("mario.rossi")
    browser.find_element(By.ID, "password").send_keys("sbagliata-1234", Keys.ENTER)
    assert "Nome o password non validi" in text_of(browser, "#errore")

    sign_in_with_the_keyboard(browser, site, "mario.rossi")
    assert browser.current_url == f"{site}/console/{OWN}"
    assert text_of(browser, '[data-lista="proposal"]') == "1"
    assert browser.find_element(By.CSS_SELECTOR, "svg.chart").is_displayed()
    screenshot(browser, shots, "02-home")

    browser.find_element(By.LINK_TEXT, "Proposte da confermare").click()
    screenshot(browser, shots, "03-lista-proposte")
    browser.find_element(By.ID, "tutte").click()  # "select all" (the page's one script)
    assert browser.find_element(By.CSS_SELECTOR, 'input[name="voce"]').is_selected()
    browser.find_element(By.ID, "conferma").click()

    assert "1 passo confermato" in text_of(browser, "#esito")
    assert text_of(browser, "#totale") == "0"
    browser.get(f"{site}/console/{OWN}")
    assert text_of(browser, '[data-lista="proposal"]') == "0"


def test_an_approval_is_refused_below_the_level_and_runs_at_it(browser: WebDriver, site: str, shots: Path) -> None:
    sign_in_with_the_keyboard(browser, site, "luca.bassi")
    browser.get(f"{site}/console/{OWN}/liste/approval")
    assert "oltre il livello" in text_of(browser, "#voci")
    assert browser.find_elements(By.CSS_SELECTOR, 'input[name="voce"]') == []
    # The page offers nothing above level 1; a forged line is refused by the server all the same.
    browser.execute_script(
        "var i = document.createElement('input'); i.type = 'hidden'; i.name = 'voce'; i.value = 'C2|SC2/1|1';"
        "document.getElementById('decisioni').appendChild(i);"
    )
    browser.find_element(By.ID, "approva").click()
    refusal = text_of(browser, "#esito")
    assert "1 rifiutato" in refusal and "livello" in refusal
    sign_out(browser)

    sign_in_with_the_keyboard(browser, site, "anna.verdi")
    browser.get(f"{site}/console/{OWN}/liste/approval")
    screenshot(browser, shots, "04-lista-approvazioni")
    browser.find_element(By.CSS_SELECTOR, 'input[name="voce"][value="C2|SC2/1|1"]').click()
    browser.find_element(By.ID, "approva").click()
    assert "1 passo approvato" in text_of(browser, "#esito")
    assert text_of(browser, "#totale") == "0"


def test_a_position_is_shown_today_and_as_it_was_on_an_earlier_date(browser: WebDriver, site: str, shots: Path) -> None:
    sign_in_with_the_keyboard(browser, site, "revisore")
    browser.find_element(By.LINK_TEXT, f"{OWN} Acque Spa").click()
    browser.get(f"{site}/console/{OWN}/clienti/C2")
    timeline = text_of(browser, "#pratica-SC2-1")
    assert "in attesa di approvazione (livello 3)" in timeline and "Prossimo" in timeline
    assert text_of(browser, "#scaduto") == "800,00 €"
    today_events = len(browser.find_elements(By.CSS_SELECTOR, "#storia tbody tr"))
    screenshot(browser, shots, "05-posizione")

    browser.execute_script("document.getElementById('al').value = '2026-01-15'")
    browser.find_element(By.ID, "mostra").click()

    assert "Come era al 15/01/2026" in text_of(browser, "#storico")
    assert browser.find_elements(By.CSS_SELECTOR, "[id^=pratica-]") == []  # no case yet on that date
    assert text_of(browser, "#scaduto") == "0,00 €"  # the bill was not yet due
    assert len(browser.find_elements(By.CSS_SELECTOR, "#storia tbody tr")) < today_events
    screenshot(browser, shots, "06-posizione-al-15-01")
    browser.find_element(By.ID, "oggi-link").click()
    assert "in attesa di approvazione" in text_of(browser, "#pratica-SC2-1")


def test_a_billing_workbook_is_uploaded_and_its_report_read(
    browser: WebDriver, site: str, shots: Path, tmp_path: Path
) -> None:
    workbook = billing_workbook(tmp_path / "fatturazione-marzo.xlsx")
    sign_in_with_the_keyboard(browser, site, "carla.bianchi")
    browser.find_element(By.ID, "link-importazioni").click()
    browser.find_element(By.ID, "file").send_keys(str(workbook))
    browser.find_element(By.ID, "importa").click()

    assert "importato" in text_of(browser, "#esito")
    assert text_of(browser, "#accettate") == "3" and text_of(browser, "#scartate") == "1"
    rejected = browser.find_elements(By.CSS_SELECTOR, "#scarti tbody tr td")
    assert [cell.text for cell in rejected[:3]] == ["Bollette", "3", "Data Scadenza"]
    screenshot(browser, shots, "07-importazione")
    browser.find_element(By.LINK_TEXT, "Tutte le importazioni").click()
    assert "fatturazione-marzo.xlsx" in text_of(browser, "#importazioni")
