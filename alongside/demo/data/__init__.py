"""The content `alongside load_demo` loads: reference data, the starter library and the cast's raw material.

Kept apart from the loading logic (``alongside.demo.loader``) so the content can be reviewed on its own.
Everything here is public information or made up; nothing identifies a real person.
"""
