#!/usr/bin/env python3
"""Reviews a `syncml dedupe --html` page in headless Chromium, as a person would.

    dedupe_review.py PAGE DOWNLOADS UNTICK CHROMIUM CHROMEDRIVER

Loads PAGE, reads what it shows (the groups, each group's record columns and the
fields marked as differing), unticks group number UNTICK, clicks "Save decisions"
and waits for the page's download (dedupe-decisions.json) in DOWNLOADS. Prints
one JSON object with what it saw and where the decisions went; exits non-zero
with a one-line reason on any failure. Uses the system chromedriver (Selenium
Manager would try the network).
"""

import json
import os
import sys
import time

os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager look for drivers online

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


def main():
    page, downloads, untick, chromium, chromedriver = sys.argv[1:6]
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--window-size=1280,1024"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    try:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        driver.get("file://" + os.path.abspath(page))
        sections = driver.find_elements(By.CSS_SELECTOR, "section.group")
        seen = {
            "title": driver.find_element(By.TAG_NAME, "h1").text,
            "groups": [],
            "counter_before": driver.find_element(By.ID, "counter").text,
        }
        for section in sections:
            seen["groups"].append({
                "id": section.get_attribute("id"),
                "ticked": section.find_element(By.CSS_SELECTOR, "input.accept").is_selected(),
                "columns": [th.text.split("\n")[0] for th in section.find_elements(By.CSS_SELECTOR, "thead th.member")],
                "differing": [th.text for th in section.find_elements(By.CSS_SELECTOR, "tr.differs > th")],
                "dropped": [div.text for div in section.find_elements(By.CSS_SELECTOR, ".v.dropped")],
            })
        box = driver.find_element(By.CSS_SELECTOR, f"input.accept[data-group='{untick}']")
        box.click()
        seen["unticked_dimmed"] = "rejected" in driver.find_element(By.ID, f"group-{untick}").get_attribute("class")
        seen["counter_after"] = driver.find_element(By.ID, "counter").text
        driver.find_element(By.ID, "save").click()
        target = os.path.join(downloads, "dedupe-decisions.json")
        deadline = time.monotonic() + 30
        while not os.path.exists(target) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not os.path.exists(target):
            raise SystemExit("the page's download did not arrive in " + downloads)
        seen["textarea_shown"] = driver.find_element(By.ID, "decisions").is_displayed()
        seen["console_errors"] = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        seen["decisions"] = target
        print(json.dumps(seen))
    finally:
        driver.quit()


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as error:  # one line for the Swift test's failure message
        raise SystemExit(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
