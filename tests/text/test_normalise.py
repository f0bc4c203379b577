import pytest

from archive.text.normalise import normalise, normalise_with_positions


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("２０２０年", "2020年"),  # full-width digits
        ("ＡＢＣ改革", "abc改革"),  # full-width letters, case folded
        ("營商環境", "营商环境"),  # traditional → simplified
        ("國有企業", "国有企业"),
        ("“放管服”改革", "放管服改革"),  # quotes
        ("“双随机、一公开”", "双随机一公开"),  # enumeration comma
        ("《条例》（试行）【要点】", "条例试行要点"),  # brackets
        ("一网 通办\u3000改革", "一网通办改革"),  # ASCII and ideographic space
        ("3+3+2", "3+3+2"),  # + is content
        ("医改·株洲模式", "医改株洲模式"),  # middle dot
    ],
)
def test_normalisation_cases(raw, expected):
    assert normalise(raw) == expected


def test_normalisation_is_idempotent():
    text = "“放管服”改革，營商環境２０２０年"
    assert normalise(normalise(text)) == normalise(text)


def test_positions_point_back_into_the_original():
    original = "推进“放管服”改革"
    normalised, positions = normalise_with_positions(original)
    start = normalised.index("放管服改革")
    end = start + len("放管服改革")
    assert original[positions[start] : positions[end - 1] + 1] == "放管服”改革"


def _one_by_one(text: str) -> str:
    """The definition: each character normalised on its own (what the tables were built from)."""
    from archive.text.normalise import _normalise_char, _simplified

    return "".join(_normalise_char(ch) if ord(ch) <= 0xFFFF else ch for ch in _simplified(text))


def test_long_texts_take_the_vectorised_path_and_agree_with_the_definition_for_every_character():
    """Texts of 64 characters or more are translated in numpy unless a character in them becomes
    several; every other BMP character (in runs of 500, as a long text would hold them) comes out
    as the per-character definition says."""
    from archive.text.normalise import _output_lengths

    lengths = _output_lengths()
    characters = [chr(code) for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF and lengths[code] <= 1]
    for start in range(0, len(characters), 500):
        run = "".join(characters[start : start + 500])
        assert normalise(run) == _one_by_one(run), hex(ord(characters[start]))
        text, positions = normalise_with_positions(run)
        assert text == normalise(run) and len(positions) == len(text)


@pytest.mark.parametrize(
    "text",
    [
        "全面深化改革“放管服”，２０２０年河長制、湖長制全面推行。" * 4,  # one character each
        "改革……稳步推进㈠河长制😀林长制（试点）" * 4,  # …and ㈠ become several; 😀 is beyond the BMP
    ],
)
def test_long_texts_agree_with_the_definition(text):
    assert normalise(text) == _one_by_one(text)
    normalised, positions = normalise_with_positions(text)
    assert normalised == normalise(text) and len(positions) == len(normalised)
