from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class RequestSizeLimitHandler(FileUploadHandler):
    """Refuses a multipart body over MAX_REQUEST_BYTES before reading it: Django bounds form fields
    (DATA_UPLOAD_MAX_MEMORY_SIZE) but not files, which it would stream to disk whatever their size."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.MAX_REQUEST_BYTES:
            raise RequestDataTooBig(f"Request body over {settings.MAX_REQUEST_BYTES} bytes.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
