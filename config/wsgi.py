import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if ms := os.environ.get("SOTAY_GIL_SWITCH_MS"):
    sys.setswitchinterval(float(ms) / 1000)
application = get_wsgi_application()
