# Copy to instance/config.py to configure this instance; environment variables win over it.
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://tracker@db.example.org/tracker"
# SECRET_KEY = "a long random string, the same on every host that serves this database"
# REGISTRATION_OPEN = False
