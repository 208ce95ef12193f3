"""What every UI layer uses: the shared caches, the style, Markdown escaping, table frames."""
