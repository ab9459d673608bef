"""The demo ecosystem behind `manage.py seed_demo` (see docs/demo-data.md).

Generation is vectorised with numpy and seeded, and rows are bulk loaded (COPY on PostgreSQL),
so the DESIGN §6 reference size loads in minutes and the small one in seconds.
"""
