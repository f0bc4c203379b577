"""The API's interactive documentation works offline and under its Content-Security-Policy, which
allows no inline script or style (archive/views/api.py DocsView sends it)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_swagger_ui_lists_the_endpoints_under_a_strict_csp(page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    response = page.goto("/api/docs/")
    policy = response.headers["content-security-policy"]
    assert "script-src" not in policy and "unsafe-inline" not in policy and "default-src 'self'" in policy
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API")
    expect(page.locator(".opblock-summary-path").filter(has_text="/api/compare/").first).to_be_visible()
    assert not violations


def test_api_root_leads_to_the_docs_and_the_schema(page):
    page.goto("/en/api/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API")
    schema = page.get_by_role("link", name="OpenAPI schema")
    expect(schema).to_have_attribute("href", "http://" + page.url.split("/")[2] + "/api/schema/")
    page.get_by_role("link", name="Interactive documentation (Swagger UI)").click()
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
