"""The web page for HR staff: one static HTML/JS page served at ``/``."""
