"""Typed WeCom API responses (only the fields hrq uses; others are ignored)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiResult(BaseModel):
    """Every WeCom response: ``errcode`` 0 is success."""

    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)

    errcode: int = 0
    errmsg: str = ""


class AccessToken(ApiResult):
    """``gettoken``: the token and its lifetime in seconds (7,200 at WeCom)."""

    access_token: str
    expires_in: int


class SendResult(ApiResult):
    """``message/send``: recipients WeCom could not deliver to are listed, ``|``-separated."""

    invaliduser: str = ""
    invalidparty: str = ""
    invalidtag: str = ""
    unlicenseduser: str = ""
    msgid: str = ""
    response_code: str = ""

    @property
    def invalid_users(self) -> list[str]:
        return [user for user in self.invaliduser.split("|") if user]


class MediaUpload(ApiResult):
    """``media/upload``: the temporary media id (valid three days)."""

    type: str
    media_id: str
    created_at: str = ""
