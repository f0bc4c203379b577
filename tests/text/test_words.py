from archive.text.words import char_grams, use_user_words, word_positions, words_of


def test_char_grams_are_every_character_and_pair_at_their_positions():
    grams = char_grams("河长制河长")
    assert grams["河"] == [0, 3]
    assert grams["河长"] == [0, 3]
    assert grams["长制"] == [1]
    assert "长" in grams and "制河" in grams


def test_user_dictionary_keeps_initiative_names_whole():
    use_user_words(frozenset())
    assert "一件事一次办" not in words_of("推行一件事一次办改革")
    use_user_words(frozenset({"一件事一次办", "县管校聘"}))
    assert "一件事一次办" in words_of("推行一件事一次办改革")
    assert "县管校聘" in words_of("全面启动了县管校聘改革")
    use_user_words(frozenset())
    assert "县管校聘" not in words_of("全面启动了县管校聘改革")


def test_word_positions_count_tokens_not_characters():
    """jieba's ChineseAnalyzer used character offsets, which broke phrase queries (RESEARCH.md #2)."""
    positions = word_positions("深化改革推进改革")
    assert sorted(p for plist in positions.values() for p in plist) == list(range(len(words_of("深化改革推进改革"))))
