"""static/vendor/redoc/ is drf-spectacular-sidecar's ReDoc bundle less its one remote image.

ReDoc's sidebar shows its maker's logo from https://cdn.redoc.ly, hard-coded, with no option to turn it off:
the copy we serve renders no image there (the "API docs by Redocly" link text stays) and drops the source-map
comment (the map is not copied). After upgrading drf-spectacular-sidecar, write the copy again with
`python -m tests.core.test_redoc_bundle`.
"""

from __future__ import annotations

from pathlib import Path

import drf_spectacular_sidecar

SIDECAR = Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc/bundles"
VENDOR = Path(__file__).resolve().parents[2] / "static/vendor/redoc"
REMOTE_LOGO = (
    'e?n.createElement("img",{alt:"redocly logo",onError:()=>t(!1),'
    'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"}):null'
)
SOURCE_MAP = "//# sourceMappingURL=redoc.standalone.js.map"


def local_bundle() -> str:
    """The sidecar's bundle with the remote logo's element replaced by nothing and no source-map comment."""
    text = (SIDECAR / "redoc.standalone.js").read_text(encoding="utf-8")
    assert text.count(REMOTE_LOGO) == 1, "ReDoc's logo code changed: look for cdn.redoc.ly in the new bundle"
    return text.replace(REMOTE_LOGO, "null").replace(SOURCE_MAP, "")


def test_the_served_bundle_is_the_sidecars_without_remote_addresses_it_would_load():
    served = (VENDOR / "redoc.standalone.js").read_text(encoding="utf-8")
    assert served == local_bundle(), "run `python -m tests.core.test_redoc_bundle` to write it again"
    assert "cdn.redoc.ly" not in served and "fonts.googleapis.com" not in served
    license_text = (SIDECAR / "redoc.standalone.js.LICENSE.txt").read_text(encoding="utf-8")
    assert (VENDOR / "redoc.standalone.js.LICENSE.txt").read_text(encoding="utf-8") == license_text


if __name__ == "__main__":
    VENDOR.mkdir(parents=True, exist_ok=True)
    (VENDOR / "redoc.standalone.js").write_text(local_bundle(), encoding="utf-8")
    (VENDOR / "redoc.standalone.js.LICENSE.txt").write_text(
        (SIDECAR / "redoc.standalone.js.LICENSE.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
