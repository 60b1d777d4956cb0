"""python -m tests.accounts.oidc_provider.serve PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI

Migrates a fresh database, registers the workbench as a confidential client (authorization code, RS256,
no consent screen), then serves on 127.0.0.1:PORT until killed. OIDC_PROVIDER_DB and OIDC_PROVIDER_KEY
(an RSA private key in PEM) come from the environment."""

import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    port, client_id, client_secret, redirect_uri = sys.argv[1:5]
    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    Application.objects.create(
        name="SAT Workbench",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server("127.0.0.1", int(port), get_wsgi_application(), handler_class=QuietHandler)
    server.serve_forever()


if __name__ == "__main__":
    main()
