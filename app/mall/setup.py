"""Mall (member) login API.  Mall endpoints need no role grants: members are not staff."""

ORDER = 95

GRANTS: dict = {}


def register(appbuilder) -> None:
    from app.mall.api import MallAuthApi

    appbuilder.add_api(MallAuthApi)
