from django.urls import register_converter


class ExportFormatConverter:
    """Only the formats we write: anything else is the ordinary 404, never echoed back."""

    regex = "json|csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormatConverter, "export_format")
