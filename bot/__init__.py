"""quotebot's application layer: channels, conversation, persistence and the pipeline."""
