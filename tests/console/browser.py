"""A real headless Chromium (the system's ``chromium`` and ``chromedriver``) driven by Selenium.

No browser is downloaded: the binary and the driver are the distribution's (``/usr/bin``), passed
explicitly so Selenium's own manager is never asked for one. Each browser gets a fresh profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=it-IT",
    "--window-size=1366,900",  # a laptop screen
)


@contextmanager
def chromium(profile: Path) -> Iterator[WebDriver]:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        raise RuntimeError("the browser tests need Debian's chromium and chromium-driver (see .ci/run)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: WebDriver, folder: Path, name: str) -> Path:
    """The whole page as a PNG (the window stretched to the page's height for the shot)."""
    folder.mkdir(parents=True, exist_ok=True)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(1366, max(900, min(height + 40, 4000)))
    target = folder / f"{name}.png"
    driver.save_screenshot(str(target))
    driver.set_window_size(1366, 900)
    return target


def text_of(driver: WebDriver, css: str) -> str:
    element: WebElement = driver.find_element(By.CSS_SELECTOR, css)
    return str(element.text)
