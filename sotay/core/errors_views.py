from django.shortcuts import render


def forbidden(request, exception=None):
    message = (
        str(exception)
        if exception and str(exception)
        else "Bạn không có quyền thực hiện thao tác này."
    )
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
