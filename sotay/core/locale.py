"""The UI language: Vietnamese unless the user chose another on the language form.

Django's LocaleMiddleware also follows the browser's Accept-Language, so a phone whose
system language is English (common on cheap Android phones sold in Việt Nam) would show
the handbook in English to a member who never asked for it. Here only the language
cookie set by the language form (`set_language`) counts; everything else is
LANGUAGE_CODE (vi)."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
