"""/scim/v2: provisioning by the identity provider (SCIM 2.0, RFC 7643/7644).

Opened only by a provisioning token (reuse.services.scim_tokens); never by a session cookie
or an API token. The views translate SCIM to reuse.services.provisioning and back.
"""

from flask import Blueprint

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")

# The modules register their routes on bp when imported, so they come after it.
from reuse.scim import views  # noqa: E402,F401
