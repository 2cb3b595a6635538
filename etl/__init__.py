"""etl: scraped news text files into an analyst-ready SQLite database."""

__version__ = "0.1.0"

#: Bump when the cleaning or people *code* changes behaviour, so that ``etl run`` re-cleans articles
#: produced by an older version.  Changes to the rule *data* are detected by hashing it.
ALGORITHM_VERSION = "2"
