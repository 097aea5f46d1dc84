from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


def _remember_path(sender, instance, **kwargs):
    """Before a save: the path the row had, so a changed audience empties both sides."""
    if instance.pk:
        instance._feed_old_path = (
            sender.objects.filter(pk=instance.pk).values_list("path", flat=True).first()
        )


def _feed_changed(sender, instance, **kwargs):
    """A document, post or required reading changed: the feeds reading its path."""
    from sotay.news import feed_cache

    feed_cache.bump(instance.path)
    old = getattr(instance, "_feed_old_path", None)
    if old and old != instance.path:
        feed_cache.bump(old)


def _all_feeds_changed(sender, **kwargs):
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

        for model in (Document, Post, RequiredReading):
            pre_save.connect(
                _remember_path, sender=model, dispatch_uid=f"feed-pre-{model.__name__}"
            )
            post_save.connect(_feed_changed, sender=model, dispatch_uid=f"feed-{model.__name__}")
            post_delete.connect(
                _feed_changed, sender=model, dispatch_uid=f"feed-del-{model.__name__}"
            )
        post_save.connect(_all_feeds_changed, sender=Organization, dispatch_uid="feed-org")
        post_delete.connect(_all_feeds_changed, sender=Organization, dispatch_uid="feed-org-del")
