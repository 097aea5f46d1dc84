from django import template

from sotay.news.feed_cache import render_item

register = template.Library()


@register.simple_tag
def feed_item(item):
    """`{% feed_item item %}`: the item's HTML, shared with every page that shows the
    same item in the same state (news.feed_cache.render_item)."""
    return render_item(item)
