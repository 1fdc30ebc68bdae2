"""Reading documents' text offline: PDF text layers, and Tesseract OCR for scans and photos.

No Qt and no database: the intake (claimdesk/intake), the CLI and the services call it.
"""
