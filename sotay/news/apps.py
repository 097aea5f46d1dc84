from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _feed_changed(sender, **kwargs):
    from sotay.news import feed_cache

    feed_cache.bump()


class NewsConfig(AppConfig):
    name = "sotay.news"
    label = "news"
    verbose_name = "Tin tức"

    def ready(self):
        # Whatever a feed item shows: the documents and posts themselves, required
        # reading, and the organisation names printed under each item. (Tree moves
        # also go through permissions.invalidate_all, which bumps it too.)
        from sotay.documents.models import Document, RequiredReading
        from sotay.news.models import Post
        from sotay.organizations.models import Organization

        for model in (Document, Post, RequiredReading, Organization):
            post_save.connect(_feed_changed, sender=model, dispatch_uid=f"feed-{model.__name__}")
            post_delete.connect(
                _feed_changed, sender=model, dispatch_uid=f"feed-del-{model.__name__}"
            )
