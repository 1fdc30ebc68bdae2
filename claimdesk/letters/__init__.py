"""Letters: Jinja2 templates in a sandbox, rendered to DOCX and PDF."""
