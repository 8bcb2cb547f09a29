"""From a question to ranked passages: dense and BM25 searches on a store, fused and de-duplicated.

``search`` asks the store for both rankings and builds ``Hit``s; ``fusion`` (pure)
merges rankings and collapses near-duplicate stories.
"""
