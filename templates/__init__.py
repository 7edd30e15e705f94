"""Reply templates (jinja2), shipped as package data and loaded with importlib.resources."""
