"""Personalised learning: the curriculum, mastery from the served model, course paths, search."""
