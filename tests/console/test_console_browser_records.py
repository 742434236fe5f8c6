"""The console's case decisions and record pages in a real headless Chromium: a write-off requested
by an operator, refused by the server to a supervisor below its level (a forged form) and approved
at it; the actions table edited in Excel and uploaded; a bank file imported and its report read; the
audit page's integrity check. Screenshots of these pages are saved under the test's tmp folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from creditbox.infrastructure.excel.actions_workbook import export_table
from tests.bank_company import seed as seed_bank_customers
from tests.bank_files import FIXTURES
from tests.console.browser import screenshot, text_of
from tests.console.conftest import OWN, Console
from tests.console.test_console_browser import browser, shots, sign_in_with_the_keyboard, sign_out, site
from tests.console.test_console_case_decisions import lower_ceilings

pytestmark = pytest.mark.cli_or_api
__all__ = ["browser", "shots", "site"]  # the fixtures, shared with the first browser tests


def test_a_write_off_is_refused_below_its_level_and_approved_at_it(
    console: Console, browser: WebDriver, site: str, shots: Path
) -> None:
    lower_ceilings(console)  # level 1 writes off up to 500 €: C2's 800 € need level 2
    position = f"{site}/console/{OWN}/clienti/C2"
    sign_in_with_the_keyboard(browser, site, "mario.rossi")
    browser.get(position)
    browser.find_element(By.CSS_SELECTOR, "#decisioni-SC2-1 summary").click()
    screenshot(browser, shots, "08-decisioni-pratica")
    form = browser.find_element(By.ID, "stralcio-form-SC2-1")
    form.find_element(By.NAME, "nota").send_keys("cliente irreperibile")
    browser.find_element(By.ID, "chiedi-stralcio-SC2-1").click()
    assert "Richiesta di stralcio per la pratica SC2/1 registrata" in text_of(browser, "#esito")
    assert "serve il livello 2" in text_of(browser, "#richiesta-SC2-1")
    sign_out(browser)

    sign_in_with_the_keyboard(browser, site, "luca.bassi")
    browser.get(position)
    assert "Oltre il livello 1" in text_of(browser, "#richiesta-SC2-1")
    assert browser.find_elements(By.ID, "approva-stralcio-SC2-1") == []
    # The page offers no approval above level 1; a forged form is refused by the server all the same.
    browser.execute_script(
        "var f = document.createElement('form'); f.method = 'post';"
        "f.action = location.pathname + '/pratiche/SC2/1/stralcio/approva';"
        "var t = document.createElement('input'); t.type = 'hidden'; t.name = 'csrf';"
        "t.value = document.querySelector('input[name=csrf]').value; f.appendChild(t);"
        "document.body.appendChild(f); f.submit();"
    )
    refusal = text_of(browser, "#esito")
    assert "Non eseguito" in refusal and "massimale di stralcio del livello 1" in refusal
    sign_out(browser)

    sign_in_with_the_keyboard(browser, site, "anna.verdi")
    browser.get(f"{site}/console/{OWN}/liste/approval")
    assert "richiesta di stralcio" in text_of(browser, "#voci")
    browser.get(position)
    screenshot(browser, shots, "09-stralcio-da-approvare")
    browser.find_element(By.ID, "approva-stralcio-SC2-1").click()
    assert "Stralcio della pratica SC2/1 approvato" in text_of(browser, "#esito")
    assert "chiusa: stralcio" in text_of(browser, "#pratica-SC2-1")


def test_the_actions_table_is_edited_in_excel_and_uploaded(
    console: Console, browser: WebDriver, site: str, shots: Path, tmp_path: Path
) -> None:
    current = console.container.actions_tables.current(OWN)
    workbook = tmp_path / "tabella-azioni.xlsx"
    export_table(current, workbook)  # the file the page's download link gives
    book = load_workbook(workbook)
    sheet = book["Tabella azioni"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Descrizione") + 1, value="Sollecito bonario")
    book.save(workbook)

    sign_in_with_the_keyboard(browser, site, "elena.neri")
    browser.find_element(By.ID, "link-tabella").click()
    assert f"versione {current.version}" in text_of(browser, "#versione")
    browser.find_element(By.ID, "file").send_keys(str(workbook))
    browser.find_element(By.ID, "nota").send_keys("testo del sollecito")
    browser.find_element(By.ID, "carica").click()
    assert f"Salvata la versione {current.version + 1} (1 modificata)" in text_of(browser, "#esito")
    assert "Sollecito bonario" in text_of(browser, "main")
    assert "testo del sollecito" in text_of(browser, "#versioni")
    screenshot(browser, shots, "10-tabella-azioni")


def test_a_bank_file_is_imported_and_the_integrity_checked(
    console: Console, browser: WebDriver, site: str, shots: Path
) -> None:
    seed_bank_customers(console.container, OWN, register=False)
    sign_in_with_the_keyboard(browser, site, "carla.bianchi")
    browser.find_element(By.ID, "link-banca").click()
    browser.find_element(By.ID, "file-banca").send_keys(str(FIXTURES / "camt054_v08_notifica.xml"))
    browser.find_element(By.ID, "importa-banca").click()
    assert text_of(browser, "#da-abbinare") == "2"
    assert "REGALO DI NATALE" in text_of(browser, "#non-abbinati")
    screenshot(browser, shots, "11-banca")
    sign_out(browser)

    sign_in_with_the_keyboard(browser, site, "mario.rossi")
    browser.get(f"{site}/console/{OWN}/banca")
    assert text_of(browser, "#totale-da-abbinare") == "2"
    sign_out(browser)

    sign_in_with_the_keyboard(browser, site, "revisore")
    browser.get(f"{site}/console/{OWN}/revisione")
    browser.find_element(By.ID, "verifica-ora").click()
    assert "nessun rilievo" in text_of(browser, "#esito")
    assert "integre" in text_of(browser, "#esito-verifica")
    screenshot(browser, shots, "12-revisione")
