"""Acting on the analysis: bid recommendations, the change table, bulk-edit files for
each platform, the change log and its effects."""
