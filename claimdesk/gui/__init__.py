"""The Qt layer. Only this package imports PySide6; it talks to the services, never to SQL."""
