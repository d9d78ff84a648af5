"""What a person reads: the HTML report pages, plots, terminal summaries and progress."""
