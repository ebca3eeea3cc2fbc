"""The WeCom (企业微信) channel's protocol layer.

- :mod:`api.wecom.crypto`: callback signatures and AES encryption (WXBizMsgCrypt).
- :mod:`api.wecom.messages`: safe parsing of callback bodies and decrypted messages.
- :mod:`api.wecom.client`: the API client (token, message/send, media/upload, webhook).
- :mod:`api.wecom.stub`: a local stand-in WeCom server for tests and demos.

Nothing here is built at import time; every object takes its configuration as
arguments (or ``from_settings``).
"""
