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
