"""Extensions created bare here and bound to the application in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event

from reuse.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage from RATELIMIT_STORAGE_URI: memory:// for one process, redis://… when several share.
limiter = Limiter(key_func=get_remote_address)


def listen_once(target, identifier: str, listener) -> None:
    """Add a SQLAlchemy event listener from an init_app, unless it is already there.

    SQLAlchemy keeps listeners on a class (every Session, every Engine) per process, not per
    app: a second create_app() (tests make several) must not add one again, or it runs twice.
    """
    if not event.contains(target, identifier, listener):
        event.listen(target, identifier, listener)
