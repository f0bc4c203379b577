"""The API schema (drf-spectacular), with the errors every read endpoint can answer declared, so
clients and schema-driven tests (tests/test_api_fuzz.py) know them."""

from drf_spectacular.openapi import AutoSchema

_ERROR = {
    "content": {
        "application/json": {
            "schema": {"type": "object", "additionalProperties": True, "description": "detail or per-field messages"}
        }
    }
}
_DECLARED = {
    "400": {"description": "Bad parameter (message per field)", **_ERROR},
    # An address no route matches (a slug with characters slugs cannot have) is Django's HTML 404.
    "404": {
        "description": "No such object, or a page past the end",
        "content": {**_ERROR["content"], "text/html": {"schema": {"type": "string"}}},
    },
}


class ArchiveAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET":
            for code, body in _DECLARED.items():
                responses.setdefault(code, body)
        return responses
