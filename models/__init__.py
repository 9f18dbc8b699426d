"""Domain tables, enums, settings and database helpers (never imports Streamlit)."""
