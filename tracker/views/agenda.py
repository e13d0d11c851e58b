"""(being written)"""

from flask import Blueprint

bp = Blueprint("agenda", __name__)
