"""Notifications: the list and its header badge, the choice of channels, and web push subscriptions."""
