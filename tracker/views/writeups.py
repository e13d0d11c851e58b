"""(being written)"""

from flask import Blueprint

bp = Blueprint("writeups", __name__)
