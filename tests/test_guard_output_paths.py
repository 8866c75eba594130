"""Guard: outputs go where they are asked to, whole or not at all.

A write respects what is at the path (a link is followed, a FIFO, a device or a directory is
refused, a file keeps its mode), is atomic (a failure leaves the previous file and no
temporary one), cleans what a killed writer left, and a page is written only once every page
is drawn. A name from data is never a path: scene names, the demo's comparison stems and
scenario names become slugs, checked to stay inside the output directory and to be distinct.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import time

import pytest

import corridormap as cm
from _guard import GOOD, ROUTE, _one_line_error
from corridormap._atomic import OutputPathError, atomic_write, clean_stale
from corridormap.cli import main


def test_atomic_write_failure_keeps_previous_file(tmp_path):
    target = tmp_path / "map.html"
    target.write_text("previous")

    def half_then_fail(fh):
        fh.write(b"<html>half a page")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_chart_write_failure_keeps_previous_file(tmp_path, monkeypatch, tiny_G):
    from corridormap.compare import compare
    from corridormap.families import Family
    from corridormap.render.charts import save_figure

    comp = compare(
        tiny_G,
        "Echo",
        "Alpha",
        draws=50,
        families=[Family("land", "Land", "", close_places=("X",))],
    )
    fig = comp.plot()
    (tmp_path / "charts").mkdir()
    target = tmp_path / "charts" / "c.png"
    target.write_bytes(b"previous")

    def boom(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(fig, "savefig", boom)
    with pytest.raises(RuntimeError):
        save_figure(fig, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in target.parent.iterdir()] == ["c.png"]


def test_cli_write_error_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(
        ["route", "Mumbai", "Moscow", "--format", "json", "--out", str(blocker / "sub" / "r.json")]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_write_through_symlink_replaces_the_target_not_the_link(tmp_path, tiny_dir, capsys):
    real = tmp_path / "real.json"
    real.write_text(GOOD)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert main([*ROUTE, "--data", str(tiny_dir), "--format", "json", "--out", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["origin"] == "A"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geo", "link.json", "real.json"]


def test_fifo_output_refused_and_kept(tmp_path, tiny_dir, capsys):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    code = main([*ROUTE, "--data", str(tiny_dir), "--out", str(fifo)])
    err = _one_line_error(capsys, code)
    assert "FIFO" in err and str(fifo) in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("option", ["--out", "--chart"])
def test_device_output_refused_before_writing(tmp_path, tiny_dir, capsys, option):
    # a link to /dev/null: the refusal comes before anything is opened for writing
    link = tmp_path / "sink"
    link.symlink_to("/dev/null")
    argv = ["compare", "Echo", "Alpha", "--draws", "10", "--data", str(tiny_dir)]
    code = main([*argv, option, str(link)])
    err = _one_line_error(capsys, code)
    assert "character device" in err and "/dev/null" in err
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_directory_output_refused_naming_it_not_a_temp_file(tmp_path, tiny_dir, capsys):
    target = tmp_path / "isdir"
    target.mkdir()
    code = main([*ROUTE, "--data", str(tiny_dir), "--out", str(target)])
    err = _one_line_error(capsys, code)
    assert str(target) in err and "directory" in err and ".tmp" not in err
    assert list(target.iterdir()) == []


def test_existing_file_keeps_its_mode(tmp_path, tiny_dir, capsys):
    out = tmp_path / "secret.json"
    out.write_text(GOOD)
    out.chmod(0o600)
    assert main([*ROUTE, "--data", str(tiny_dir), "--format", "json", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text() != GOOD


def test_new_file_mode_follows_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o600


def test_atomic_write_api_refuses_special_files(tmp_path):
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with pytest.raises(OutputPathError, match="FIFO"):
        atomic_write(fifo, "x")
    assert isinstance(OutputPathError("x"), cm.CorridormapError)


def test_same_output_twice_refused(tmp_path, tiny_dir, capsys):
    out = tmp_path / "both"
    code = main([*ROUTE, "--data", str(tiny_dir), "--out", str(out), "--map", str(out)])
    assert "same file" in _one_line_error(capsys, code)
    assert not out.exists()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temp_files_cleaned_on_next_write(tmp_path):
    old = time.time() - 3600
    dead = tmp_path / f".route.json.{_dead_pid()}-abcd_123.tmp"
    legacy = tmp_path / ".map.html.k3j_x9qa.tmp"  # the naming before the writer's pid
    fresh_dead = tmp_path / f".other.json.{_dead_pid()}-zzzzzzzz.tmp"  # just written
    live = tmp_path / f".route.json.{os.getppid()}-abcdefgh.tmp"  # its writer is running
    mine = tmp_path / ".notes.tmp"  # not our naming
    for p in (dead, legacy, fresh_dead, live, mine):
        p.write_text("half")
    os.utime(dead, (old, old))
    os.utime(legacy, (old - 2 * 86400, old - 2 * 86400))
    os.utime(live, (old, old))
    atomic_write(tmp_path / "route.json", "{}")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["route.json", fresh_dead.name, live.name, mine.name])


def test_clean_stale_keeps_directories_and_links(tmp_path):
    d = tmp_path / ".x.1-abcdefgh.tmp"
    d.mkdir()
    target = tmp_path / "t"
    target.write_text("keep")
    ln = tmp_path / ".y.1-abcdefgh.tmp"
    ln.symlink_to(target)
    assert clean_stale(tmp_path, now=time.time() + 10 * 86400) == []
    assert d.is_dir() and ln.is_symlink() and target.read_text() == "keep"


def test_map_writes_nothing_when_a_scene_fails(tmp_path, monkeypatch, capsys):
    import folium

    import corridormap.render as render
    import corridormap.render.mapscenes as drawing

    scenes = list(render.SCENES)

    def fake_draw(view, **kwargs):
        if view.scene.name == scenes[-1]:
            raise cm.GeodataError("the last scene needs a place this data lacks")
        return folium.Map(tiles=None)

    monkeypatch.setattr(drawing, "draw_scene", fake_draw)
    out = tmp_path / "maps"
    out.mkdir()
    (out / f"map-{scenes[0]}.html").write_text("previous")
    code = main(["map", "--out", str(out)])
    assert "the last scene" in _one_line_error(capsys, code)
    assert [p.name for p in out.iterdir()] == [f"map-{scenes[0]}.html"]
    assert (out / f"map-{scenes[0]}.html").read_text() == "previous"


def test_full_disk_names_the_target(tmp_path, tiny_dir, monkeypatch, capsys):
    import corridormap._atomic as atomic

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    out = tmp_path / "out" / "route.json"
    code = main([*ROUTE, "--data", str(tiny_dir), "--format", "json", "--out", str(out)])
    err = _one_line_error(capsys, code)
    assert f"cannot write {out}: No space left on device" in err
    assert list(out.parent.iterdir()) == []


def test_failed_replace_names_the_target(tmp_path, monkeypatch):
    import corridormap._atomic as atomic

    def denied(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(src))

    monkeypatch.setattr(atomic.os, "replace", denied)
    with pytest.raises(PermissionError) as info:
        atomic_write(tmp_path / "x.json", "{}")
    assert info.value.filename == str(tmp_path / "x.json")
    assert ".tmp" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


# -- a name from data is never a path --------------------------------------------------------
SCENE = 'title = "{title}"\ndescription = "d"\nnetwork = true\n'


def _scenes(d, *names, title="t"):
    """A scenes.toml in ``d`` of network scenes named ``names``."""
    text = "".join(f"[{json.dumps(n)}]\n" + SCENE.format(title=title) + "\n" for n in names)
    (d / "scenes.toml").write_text(text, encoding="utf-8")
    return d


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x/../../../escape", "x-escape"),
        ("INSTC vs Suez", "instc-vs-suez"),
        ("sub/dir", "sub-dir"),
        ("..\\..\\win", "win"),
        ("a\x00b\x1b[2J", "a-b-2j"),
        ("Москва–Тегеран", "москва-тегеран"),
        ("rasht-astara-gap", "rasht-astara-gap"),
    ],
)
def test_a_name_becomes_a_slug(name, expected):
    from corridormap._filenames import slug

    assert slug(name) == expected


@pytest.mark.parametrize("name", ["..", "/", "", "$$$", 5])
def test_a_name_without_letters_or_digits_is_refused(name):
    from corridormap._filenames import slug

    with pytest.raises(cm.GeodataError, match=r"scenes\.toml.*(no letter or digit|must be a text)"):
        slug(name, file="scenes.toml", what="scene")


def test_scene_name_cannot_write_outside_out(tmp_path, tiny_dir, capsys):
    _scenes(tiny_dir, "x/../../../escape", "sub/dir")
    out = tmp_path / "O" / "a" / "b"
    before = _files(tmp_path)
    assert main(["map", "x/../../../escape", "--data", str(tiny_dir), "--out", str(out)]) == 0
    assert capsys.readouterr().out.split() == [str(out / "map-x-escape.html")]
    assert main(["map", "sub/dir", "--data", str(tiny_dir), "--out", str(out)]) == 0
    new = sorted(set(_files(tmp_path)) - set(before))
    assert new == ["O", "O/a", "O/a/b", "O/a/b/map-sub-dir.html", "O/a/b/map-x-escape.html"]
    assert not (tmp_path / "O" / "escape.html").exists()


def test_all_scenes_and_the_atlas_stay_inside_out(tmp_path, tiny_dir, capsys):
    _scenes(tiny_dir, "x/../../../escape", "../up")
    out = tmp_path / "O" / "a" / "b"
    assert main(["map", "--data", str(tiny_dir), "--out", str(out), "--self-contained"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "map-up-offline.html",
        "map-x-escape-offline.html",
    ]
    assert _files(tmp_path / "O") == ["a", "a/b", *(f"a/b/{p.name}" for p in sorted(out.iterdir()))]
    atlas = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="map-x-escape-offline.html"' in atlas and "../" not in atlas


@pytest.mark.parametrize(
    ("names", "clash"),
    [
        (("a", "a-offline"), "map-a-offline.html"),
        (("Overview", "overview"), "map-overview.html"),
        (("x y", "x/y"), "map-x-y.html"),
    ],
)
def test_scene_names_that_slug_alike_are_refused_naming_both(
    tmp_path, tiny_dir, capsys, names, clash
):
    _scenes(tiny_dir, *names)
    out = tmp_path / "out"
    code = main(["map", "--data", str(tiny_dir), "--out", str(out)])
    err = _one_line_error(capsys, code)
    assert "scenes.toml" in err and clash in err
    assert repr(names[0]) in err and repr(names[1]) in err
    assert not out.exists()


def test_a_scene_named_catchment_is_refused_clearly(tmp_path, tiny_dir, capsys):
    _scenes(tiny_dir, "catchment")
    out = tmp_path / "out"
    err = _one_line_error(capsys, main(["map", "--data", str(tiny_dir), "--out", str(out)]))
    assert "scene 'catchment' would write map-catchment.html" in err
    assert "corridormap map catchment" in err and "rename the scene" in err
    assert not out.exists()


def test_a_link_in_out_pointing_elsewhere_is_not_followed(tmp_path, tiny_dir, capsys):
    _scenes(tiny_dir, "net")
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep")
    (out / "map-net.html").symlink_to(elsewhere)
    err = _one_line_error(capsys, main(["map", "net", "--data", str(tiny_dir), "--out", str(out)]))
    assert "outside" in err and str(out) in err
    assert elsewhere.read_text() == "keep"


def _demo_data(d, *, stems=("x/../../../escape-stem",), scen_names=("../../escape-scen",)):
    """The tiny network with a demo: comparisons by ``stems``, scenarios named ``scen_names``."""
    (d / "families.toml").write_text(
        'reference = "sea"\n[[family]]\nname = "land"\nlabel = "Land"\ninstc = true\n'
        'close_places = ["X"]\n[[family]]\nname = "sea"\nlabel = "Sea"\ninstc = false\n'
        'close_links = ["B-C"]\n',
        encoding="utf-8",
    )
    (d / "scenarios").mkdir(exist_ok=True)
    files = []
    for i, name in enumerate(scen_names):
        (d / "scenarios" / f"s{i}.toml").write_text(
            f'name = {json.dumps(name)}\ndescription = "d"\n[changes]\nclose_links = ["A-B"]\n',
            encoding="utf-8",
        )
        files.append(f"s{i}")
    comps = "".join(
        f'[[demo.compare]]\nstem = {json.dumps(s)}\nfrom = "Echo"\nto = "Alpha"\n' for s in stems
    )
    (d / "analysis.toml").write_text(
        '[bottlenecks]\npairs = [["Alpha", "Delta"]]\n[demo]\nscenarios = '
        + json.dumps(files)
        + "\n"
        + comps,
        encoding="utf-8",
    )
    return _scenes(d, "x/../../../escape")


@pytest.mark.e2e
def test_demo_writes_every_name_from_data_inside_out(tmp_path, tiny_dir, capsys):
    _demo_data(tiny_dir)
    out = tmp_path / "O" / "a" / "b"
    assert main(["demo", "--data", str(tiny_dir), "--out", str(out)]) == 0
    written = capsys.readouterr().out.split()
    # directly in --out, but for the explorer's own folder (a fixed name, not from data)
    assert all(os.path.dirname(p) in (str(out), str(out / "explorer")) for p in written), written
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["explorer"]
    names = sorted(p.name for p in out.iterdir())
    for expected in (
        "compare-x-escape-stem.csv",
        "compare-x-escape-stem.png",
        "scenario-escape-scen.csv",
        "scenario-escape-scen.md",
        "map-x-escape.html",
        "map-x-escape-offline.html",
        "index.html",
    ):
        assert expected in names
    assert _files(tmp_path) == sorted(
        [
            "O",
            "O/a",
            "O/a/b",
            *(f"O/a/b/{n}" for n in names),
            *(f"O/a/b/explorer/{p}" for p in _files(out / "explorer")),
            "geo",
            *(f"geo/{p}" for p in _files(tiny_dir)),
        ]
    )


@pytest.mark.parametrize(
    ("stems", "scen_names", "clash"),
    [
        (("x y", "x/y"), ("s",), "compare-x-y.csv"),
        (("one",), ("a b", "a-b"), "scenario-a-b.csv"),
    ],
    ids=["stems", "scenario-names"],
)
def test_demo_names_that_slug_alike_are_refused_before_writing(
    tmp_path, tiny_dir, capsys, stems, scen_names, clash
):
    _demo_data(tiny_dir, stems=stems, scen_names=scen_names)
    out = tmp_path / "out"
    err = _one_line_error(capsys, main(["demo", "--data", str(tiny_dir), "--out", str(out)]))
    assert clash in err and "rename" in err
    assert not out.exists()


def test_sweep_checks_its_catchment_map_before_writing_the_table(tiny_dir, tmp_path, capsys):
    out = tmp_path / "t.csv"
    out.write_text(GOOD)
    page = str(tmp_path / "m.html")
    argv = ["sweep", "--origins", "E", "--destinations", "A,D", "--scheduler", "none",
            "--out", str(out), "--map", page, "--data", str(tiny_dir)]  # fmt: skip
    err = _one_line_error(capsys, main([*argv, "--map-origin", "Alpha"]))
    assert "--map-origin Alpha: A is not among the origins swept (E)" in err
    assert out.read_text() == GOOD and not (tmp_path / "m.html").exists()
    (tiny_dir / "families.toml").write_text(
        '[[family]]\nname = "land"\ninstc = true\nclose_places = ["X"]\n'
    )
    err = _one_line_error(capsys, main(argv))
    assert "--map: the catchment map measures the INSTC against the reference family" in err
    assert out.read_text() == GOOD
