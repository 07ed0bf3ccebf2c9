"""Vendored machine-readable Telegram Bot API description (``api.json``, MIT, see LICENSE).

The emulator validates every Bot API call against this file; it is a package so that
``importlib.resources`` finds it and setuptools ships the JSON as package data.
"""
