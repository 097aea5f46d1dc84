from django import template

from sotay.learning.queries import home_programmes

register = template.Library()


@register.inclusion_tag("learning/_home_block.html", takes_context=True)
def learning_due(context):
    """The home feed's "Chuyên đề cần học" block: assigned, open, not yet completed
    programmes (one SQL statement, `queries.home_programmes`)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"programmes": []}
    return {"programmes": home_programmes(user)}
