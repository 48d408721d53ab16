"""The text-analysis room at the bottom: language detection, tokenisation and stemming, numbers, names
(transliteration), the language resources (lexicon.tsv) and concepts. Chunking, retrieval and answering all use it;
it imports nothing of Derek above it."""
