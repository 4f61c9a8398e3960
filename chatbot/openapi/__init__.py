"""The OpenAPI description of the API (`spec.py`, built from the marshmallow schemas) and its pages (`docs.py`)."""
