"""Domain logic as plain functions over an explicit Session (never imports Streamlit)."""
