"""(being written)"""

from flask import Blueprint

bp = Blueprint("timetable", __name__)
