"""Partner pages: the portal home lives with the deals it lists; the manager's partner pages are dashboards."""

from deals.home import PortalHomeView  # noqa: F401
