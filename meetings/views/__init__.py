"""The meeting cycle's pages: the referral queue, meetings and their steps, research returns, actions,
the repeat watch, transfers and the glossary. Each group lives in its own module here."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
