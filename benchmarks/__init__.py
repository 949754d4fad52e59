"""Benchmarks of the integrations against ChatOpenAI and llama-index OpenAI: see README.md."""
