"""Streamlit-facing helpers shared by app.py and pages/: cached resources, sign-in guard, menu, i18n."""
