"""The search document of an opinion (分词检索文本): what is stored in Opinion.search_text.

Chinese has no spaces and the segmenter (rjieba) may cut a text and a query differently
("路灯不亮" → 路 | 灯不亮, while the query "路灯" stays one word). So the document holds the
segmenter's words and also the two-character shingles of every run of Chinese characters;
the queue's search (zhitong.opinions.search) matches a query word by the word itself or by
all of its shingles. The format must stay what that search expects: lower-case terms
without punctuation, each once, separated by single spaces.
"""

import re

import rjieba

# Runs of CJK ideographs: basic block, extension A, compatibility ideographs.
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Terms keep letters, digits and CJK only: punctuation splits them ("wi-fi" → wi, fi).
NON_WORD = re.compile(r"[\W_]+")


def _pieces(tokens):
    for token in tokens:
        yield from (piece for piece in NON_WORD.split(token) if piece)


def search_document(*parts: str) -> str:
    """Space-joined search terms of `parts`: segmenter words (search mode), then shingles."""
    terms: dict[str, None] = {}
    for part in parts:
        text = (part or "").lower()
        for word in _pieces(rjieba.cut_for_search(text)):
            terms.setdefault(word, None)
        for run in CJK_RUN.findall(text):
            for start in range(len(run)):
                terms.setdefault(run[start : start + 2], None)
    return " ".join(terms)


def opinion_search_text(subject: str, content: str) -> str:
    """What goes into Opinion.search_text for this subject and content."""
    return search_document(subject, content)
