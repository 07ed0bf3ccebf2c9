"""Vendored part of the VK API schema (github.com/VKCOM/vk-api-schema, commit 0efe478f, API
5.199, MIT, see LICENSE): `<section>_methods.json` is the schema's `<section>/methods.json`
for the messages, groups and users sections, and `errors.json` its error codes. The
emulator checks every call against them."""
