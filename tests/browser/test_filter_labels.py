"""Filter fields show their whole choice: the review queue's status reads in full at desktop and tablet widths."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

# The selected option's text width (in the select's own font) against the room the select leaves for it.
ROOM = """
(el) => {
  const style = getComputedStyle(el);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const text = el.options[el.selectedIndex].text;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {text: text, width: context.measureText(text).width, room: room};
}
"""


@pytest.mark.parametrize("width", [1366, 820])
def test_the_warranty_queue_status_choice_is_not_cut_off(page, world, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "manager", "pw")
    page.goto("/manage/warranty/?status=open")
    status = page.locator("#id_status")
    assert status.input_value() == "open"
    for value in ("open", "under_review"):
        status.select_option(value)
        room = status.evaluate(ROOM)
        assert room["width"] <= room["room"], room
    assert page.console_errors == []
