"""Web page routes."""

urlpatterns: list = []
