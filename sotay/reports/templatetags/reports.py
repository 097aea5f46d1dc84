from django import template

from sotay.reports.formatting import format_number, format_percent, format_ratio

register = template.Library()


@register.filter
def vn_number(n):
    return format_number(n)


@register.filter
def vn_percent(value):
    return format_percent(value)


@register.simple_tag
def vn_ratio(part, whole):
    return format_ratio(part, whole)
