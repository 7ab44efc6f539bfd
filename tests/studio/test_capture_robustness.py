"""The recording engine when things go wrong: lost sound, a lost screen, a full disk.

The microphone tests feed the real fitting and rendering code synthetic ``mic.log``
files whose truth is known; the others record on real parts (Xvfb, a PulseAudio
virtual microphone, real ffmpeg), as in ``test_capture.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
import pytest

from shared.media import ffmpeg_exe, probe
from studio.capture import Recorder, RecordingSettings
from studio.capture.recording import SAMPLE_RATE, AudioClock, render_audio
from studio.capture.screen import FpsCounts
from tests.studio.conftest import stop_process

BLOCK = 480
FPS = 30


def frames(path: Path) -> int:
    try:
        with av.open(str(path)) as container:
            return sum(1 for p in container.demux(container.streams.video[0]) if p.size)
    except (av.error.InvalidDataError, av.error.EOFError):  # killed before a single frame
        return 0


def dbfs(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(samples**2)) / 32768 + 1e-12))


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def audio_samples(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        chunks = [
            frame.to_ndarray().reshape(-1) for frame in container.decode(container.streams.audio[0])
        ]
    return np.concatenate(chunks).astype(np.float64)


# --- the microphone on the clock when the stream loses sound (synthetic logs) ----------


@dataclass
class FakeCard:
    """A sound card heard at ``start + n / rate`` whose blocks reach us as PulseAudio's do.

    Blocks come in pairs (a PulseAudio fragment) once the pair's last sample was heard,
    plus a random delay and now and then a late one. ``losses`` are ``(at, seconds,
    flagged)``: the sound heard in that span never arrives and the sample count does
    not see it; ``buffered`` seconds of sound before it arrive late in one burst with
    the first block after it (a stall PortAudio caught up with). ``stalls`` are ``(at,
    seconds)`` without loss: everything heard meanwhile arrives in one burst after.
    """

    rate: float = SAMPLE_RATE * (1 + 150e-6)
    start: float = 0.75
    seconds: float = 30.0
    losses: list[tuple[float, float, bool]] = field(default_factory=list)
    buffered: float = 0.0
    stalls: list[tuple[float, float]] = field(default_factory=list)
    seed: int = 1

    def heard(self, n: np.ndarray | float) -> np.ndarray | float:
        """Recording-clock time of card sample ``n``."""
        return self.start + n / self.rate

    def write(self, folder: Path) -> np.ndarray:
        """Write ``mic.log`` and ``mic.pcm`` (sample value = card sample number mod 30000).

        Returns:
            For each sample of ``mic.pcm``, its card sample number.
        """
        rng = np.random.default_rng(self.seed)
        lines, card_numbers = [], []
        stream = 0
        last_arrival = 0.0
        pending_flag = False
        blocks = int(self.seconds * self.rate / BLOCK)
        for j in range(blocks):
            first_card = j * BLOCK
            end_heard = self.heard(first_card + BLOCK)
            lost = [loss for loss in self.losses if loss[0] <= end_heard < loss[0] + loss[1]]
            if lost:
                pending_flag = pending_flag or lost[0][2]
                continue
            fragment_end = self.heard((j // 2 * 2 + 2) * BLOCK)
            arrival = fragment_end + rng.exponential(0.003)
            if j % 97 == 0:
                arrival += 0.04
            for at, seconds in self.stalls:
                if at <= end_heard < at + seconds:
                    arrival = max(arrival, at + seconds)
            for at, seconds, _flagged in self.losses:
                if at - self.buffered <= end_heard < at:
                    arrival = max(arrival, at + seconds + 0.002)
            arrival = max(arrival, last_arrival)
            last_arrival = arrival
            flag = " overflow" if pending_flag else ""
            pending_flag = False
            lines.append(f"{stream} {BLOCK} {stream} {arrival:.6f}{flag}")
            card_numbers.append(np.arange(first_card, first_card + BLOCK))
            stream += BLOCK
        (folder / "mic.log").write_text("\n".join(lines) + "\n", encoding="ascii")
        numbers = np.concatenate(card_numbers)
        (folder / "mic.pcm").write_bytes((numbers % 30000).astype("<i2").tobytes())
        return numbers

    def check(self, clock: AudioClock, numbers: np.ndarray, times: np.ndarray) -> float:
        """The largest error, in seconds, of where ``clock`` puts ``times`` in ``mic.pcm``."""
        position = clock.samples_at(times)
        truth = (times - self.start) * self.rate
        kept = ~np.isnan(position)
        found = np.interp(position[kept], np.arange(len(numbers)), numbers)
        return float(np.max(np.abs(found - truth[kept])) / self.rate)


def lost_span(card: FakeCard, times: np.ndarray) -> np.ndarray:
    """Which of ``times`` fall in sound the card lost."""
    out = np.zeros(times.shape, dtype=bool)
    for at, seconds, _flagged in card.losses:
        out |= (times >= at - 0.01) & (times < at + seconds + 0.01)
    return out


def test_one_run_with_drift_pulse_fragments_and_a_stall_is_not_split(tmp_path):
    card = FakeCard(stalls=[(12.0, 0.3)])
    numbers = card.write(tmp_path)
    clock = AudioClock(tmp_path / "mic.log")
    assert clock.runs == 1
    assert abs(clock.rate - card.rate) < 0.5
    times = np.linspace(1.5, 29.0, 5000)
    assert card.check(clock, numbers, times) < 0.001
    assert not np.isnan(clock.samples_at(times)).any()


def test_half_a_second_of_lost_sound_does_not_shift_what_follows(tmp_path):
    card = FakeCard(losses=[(14.0, 0.5, False)])
    numbers = card.write(tmp_path)
    clock = AudioClock(tmp_path / "mic.log")
    assert clock.runs == 2
    assert abs(clock.rate - card.rate) < 0.5
    assert abs(clock.lost - 0.5) < 0.015
    before = np.linspace(1.5, 13.9, 3000)
    after = np.linspace(14.6, 29.0, 3000)
    assert card.check(clock, numbers, before) < 0.001
    assert card.check(clock, numbers, after) < 0.001
    assert not np.isnan(clock.samples_at(after)).any()
    gap = np.linspace(14.02, 14.48, 100)
    assert np.isnan(clock.samples_at(gap)).all()  # nothing was heard then: silence


def test_a_flagged_overflow_after_a_buffered_burst_splits_at_the_flag(tmp_path):
    # 0.3 s of sound lost, the 0.1 s before it delivered late in one burst, and a
    # 20 ms loss later that only the overflow flag gives away.
    card = FakeCard(losses=[(10.0, 0.3, True), (20.0, 0.02, True)], buffered=0.1)
    numbers = card.write(tmp_path)
    clock = AudioClock(tmp_path / "mic.log")
    assert clock.runs == 3
    times = np.linspace(1.5, 29.0, 6000)
    times = times[~lost_span(card, times)]
    assert card.check(clock, numbers, times) < 0.001


def test_an_old_log_without_flags_and_with_a_cut_last_line_still_reads(tmp_path):
    card = FakeCard(seconds=10.0)
    numbers = card.write(tmp_path)
    with open(tmp_path / "mic.log", "a", encoding="ascii") as log:
        log.write("999999 480 99")  # cut short by a crash
    clock = AudioClock(tmp_path / "mic.log")
    assert clock.runs == 1 and clock.w_first[-1] < 999999
    assert card.check(clock, numbers, np.linspace(1.5, 9.5, 1000)) < 0.001


def test_render_audio_places_a_click_after_lost_sound_at_its_time(tmp_path):
    card = FakeCard(seconds=12.0, losses=[(6.0, 0.5, False)])
    numbers = card.write(tmp_path)
    pcm = np.zeros(len(numbers), dtype="<i2")
    click_card = int((9.0 - card.start) * card.rate)  # heard at 9.0 s, after the loss
    index = int(np.searchsorted(numbers, click_card))
    pcm[index : index + 10] = 20000
    early = int((5.0 - card.start) * card.rate)  # and one before it, at 5.0 s
    pcm[early : early + 10] = 20000
    (tmp_path / "mic.pcm").write_bytes(pcm.tobytes())
    out = tmp_path / "audio.mkv"
    stats = render_audio(tmp_path, [(4.0, 10.0)], out, latency=0.0)
    assert stats["mic_runs"] == 2 and abs(stats["mic_lost_ms"] - 500) < 15
    samples = audio_samples(out)
    assert len(samples) == 6 * SAMPLE_RATE
    loud = np.flatnonzero(np.abs(samples) > 5000) / SAMPLE_RATE + 4.0
    assert abs(loud[0] - 5.0) < 0.001
    assert abs(loud[loud > 7.0][0] - 9.0) < 0.001
    lost = samples[int(2.05 * SAMPLE_RATE) : int(2.45 * SAMPLE_RATE)]  # 6.05 .. 6.45 s
    assert not lost.any()


# --- a screen grab that dies mid-recording (real recorder on Xvfb + PulseAudio) ---------


@pytest.mark.slow
@pytest.mark.parametrize("lose_after", [3.0, 0.0])  # 0: before a frame reached the disk
def test_losing_the_screen_keeps_the_sound_and_holds_the_last_picture(
    capture_env, tmp_path, play, tone, lose_after
):
    folder = tmp_path / "rec"
    recorder = Recorder(
        folder, RecordingSettings(screen="region:0,0,640,360", mic="default", fps=FPS)
    )
    play(tone)
    recorder.start()
    try:
        time.sleep(lose_after)
        grab = recorder._screen_seg.process  # this recording's own x11grab ffmpeg
        os.kill(grab.pid, signal.SIGKILL)
        lost_at = recorder.elapsed()
        assert wait_for(lambda: any("screen" in w for w in recorder.stats().warnings))
        time.sleep(3.0)
    finally:
        finished = recorder.stop()

    data = json.loads((folder / "recording.json").read_text())
    segment = data["segments"][0]
    total = segment["end"] - segment["screen"]["start"]
    assert total > lost_at + 2.5  # the segment went on after the screen was lost
    assert abs(segment["screen"]["frames"] - frames(folder / "screen-000.mkv")) <= 1
    assert segment["screen"]["frames"] / FPS < lost_at + 0.5
    assert any("screen" in event["text"] for event in data["events"])
    filled = total - segment["screen"]["frames"] / FPS
    assert abs(data["alignment"]["video_filled_seconds"] - filled) <= 0.6 / FPS

    info = probe(finished.main)
    assert abs(info.duration - total) < 0.1 and abs(finished.duration - total) <= 0.6 / FPS
    assert abs(frames(finished.main) - total * FPS) <= 2  # the last picture is held
    samples = audio_samples(finished.main)
    assert abs(len(samples) / SAMPLE_RATE - total) < 0.05
    after = samples[int((lost_at + 0.5) * SAMPLE_RATE) : int((total - 0.2) * SAMPLE_RATE)]
    assert len(after) > 2 * SAMPLE_RATE and dbfs(after) > -20  # the tone goes on
    assert not list(folder.glob(".*"))  # no padding clip or list left behind


@pytest.mark.slow
def test_losing_the_only_camera_keeps_the_sound(capture_env, tmp_path, play, tone):
    short = tmp_path / "short.mp4"  # the "camera" delivers 1.5 s, then is gone
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=1.5"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(short)],
        check=True,
    )
    folder = tmp_path / "rec"
    recorder = Recorder(folder, RecordingSettings(screen="none", camera=str(short), fps=FPS))
    play(tone)
    recorder.start()
    try:
        assert wait_for(lambda: any("camera" in w for w in recorder.stats().warnings))
        time.sleep(2.5)
    finally:
        finished = recorder.stop()
    data = json.loads((folder / "recording.json").read_text())
    segment = data["segments"][0]
    total = segment["end"] - segment["camera"]["start"]
    assert segment["camera"]["frames"] / FPS < total - 1.0  # the camera track ended early
    info = probe(finished.main)
    assert abs(info.duration - total) < 0.1 and info.video.width == 320
    samples = audio_samples(finished.main)
    assert abs(len(samples) / SAMPLE_RATE - total) < 0.05
    assert dbfs(samples[-2 * SAMPLE_RATE :]) > -20


# --- a disk that runs low while recording (real tmpfs, real recorder) ---------------------


@pytest.fixture
def forty_mb_disk(tmpfs):
    """A 40 MB filesystem: room to record for a few seconds, then nearly full."""
    return tmpfs("40m")


@pytest.fixture
def busy_screen(capture_env):
    """Moving noise in the top-left 320x180 of the screen: about 1 MB/s of H.264."""
    if shutil.which("ffplay") is None:
        pytest.skip("ffplay is not installed (it draws changing pictures on the screen)")
    process = subprocess.Popen(
        ["ffplay", "-loglevel", "error", "-an", "-noborder", "-left", "0", "-top", "0"]
        + ["-f", "lavfi", "-i", "color=gray:s=320x180:r=30,noise=alls=60:allf=t"],
        env={**capture_env, "SDL_AUDIODRIVER": "dummy"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    yield
    stop_process(process)


def plays_to_the_end(path: Path) -> bool:
    """Every packet of ``path`` decodes (nothing half-written)."""
    result = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    return result.returncode == 0 and not result.stderr.strip()


def fill(path: Path, leave: int) -> None:
    """Write ``path`` until only ``leave`` bytes are free on its disk."""
    free = shutil.disk_usage(path.parent).free
    with open(path, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


@pytest.mark.slow
def test_a_disk_running_low_stops_the_recording_and_it_still_finishes(
    capture_env, forty_mb_disk, busy_screen, play, tone
):
    from studio.capture import NotFinishedError, finalize, recover

    folder = forty_mb_disk / "rec"
    recorder = Recorder(
        folder, RecordingSettings(screen="region:0,0,640,360", mic="default", fps=FPS)
    )
    play(tone)
    recorder.start()
    seen: list[float] = []
    try:
        asked = wait_for(
            lambda: (
                seen.append(recorder.stats().disk_seconds_left) or recorder.stats().stop_requested
            ),
            timeout=120,
        )
    finally:
        recorder.stop(finish=False)
    assert asked, "the recorder never asked to stop"
    live = recorder.stats()
    assert "disk" in live.stop_requested and any("full" in w for w in live.warnings)
    measured = [s for s in seen if s != float("inf")]  # from the first disk check on
    assert measured and max(measured) > 0 and min(measured) < max(measured)
    data = json.loads((folder / "recording.json").read_text())
    assert data["state"] == "stopped" and data["stopped_because"] == live.stop_requested
    tracks = sorted(p.name for p in folder.iterdir())
    assert plays_to_the_end(folder / "screen-000.mkv")

    # Something else takes the rest of the disk: finalizing fails, keeping the tracks.
    ballast = forty_mb_disk / "ballast"
    fill(ballast, leave=200_000)
    with pytest.raises(NotFinishedError, match="free some space.*recover"):
        finalize(folder)
    assert sorted(p.name for p in folder.iterdir()) == tracks  # nothing half-written
    assert json.loads((folder / "recording.json").read_text())["state"] == "stopped"

    # With the room the recorder kept, it finishes.
    ballast.unlink()
    finished = recover(folder)
    assert plays_to_the_end(finished.main)
    info = probe(finished.main)
    assert info.has_audio and abs(info.duration - finished.duration) < 0.1
    assert finished.duration > 3.0
    assert not list(folder.glob(".*"))


@pytest.mark.slow
def test_the_cli_stops_on_a_nearly_full_disk_and_finishes(
    capture_env, forty_mb_disk, busy_screen, play, tone
):
    folder = forty_mb_disk / "rec"
    play(tone)
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli", "record", str(folder)]
        + ["--screen", "region:0,0,640,360"],
        capture_output=True,
        text=True,
        env=capture_env,
        stdin=subprocess.DEVNULL,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    live = result.stderr.split("Finishing the recording")[0]
    # A warning first, once, while minutes are left at most; then the stop.
    assert live.count("the disk is getting full") == 1
    assert live.index("the disk is getting full") < live.index("nearly full; stopping")
    data = json.loads((folder / "recording.json").read_text())
    assert data["state"] == "finished" and data["stopped_because"] == "the disk is nearly full"
    main = folder / data["outputs"]["main"]
    assert plays_to_the_end(main) and probe(main).has_audio
    assert abs(probe(main).duration - data["duration"]) < 0.1
    assert not list(folder.glob(".*"))
    assert shutil.disk_usage(forty_mb_disk).free > 0


# --- live frame counts of the screen ------------------------------------------------------


@pytest.mark.slow
def test_screen_drops_and_repeats_are_counted_while_the_segment_runs(capture_env, tmp_path):
    folder = tmp_path / "rec"
    recorder = Recorder(folder, RecordingSettings(screen="region:0,0,320,180", mic="none", fps=FPS))
    recorder.start()
    try:
        assert wait_for(lambda: recorder.stats().video["screen"].frames >= FPS // 2)
        grab = recorder._screen_seg.process  # this recording's own x11grab ffmpeg
        os.kill(grab.pid, signal.SIGSTOP)  # a stall: the slots meanwhile repeat a frame,
        time.sleep(0.6)
        os.kill(grab.pid, signal.SIGCONT)  # and the grabs it catches up with are dropped
        assert wait_for(lambda: recorder.stats().video["screen"].duplicated >= 5)
        assert wait_for(lambda: recorder.stats().video["screen"].dropped >= 5)
        time.sleep(0.5)
        live = recorder.stats().video["screen"]
        assert live.frames > FPS and recorder._screen_seg.alive()  # mid-segment
    finally:
        recorder.stop()
    final = json.loads((folder / "recording.json").read_text())["segments"][0]["screen"]
    # ffmpeg's own summary at the end agrees with what was counted along the way.
    assert live.duplicated <= final["duplicated"] <= live.duplicated + 3
    assert live.dropped <= final["dropped"] <= live.dropped + 3
    assert final["frames"] >= live.frames


@pytest.mark.slow
def test_a_quality_with_a_smaller_picture_scales_the_screen_down(capture_env, tmp_path):
    settings = RecordingSettings(screen="0", camera="none", mic="none", max_size=(640, 360))
    recorder = Recorder(tmp_path / "rec", settings)
    recorder.start()
    assert wait_for(lambda: recorder.stats().video["screen"].frames > 30, 30)
    finished = recorder.stop()
    info = probe(finished.main)
    assert (info.video.width, info.video.height) == (640, 360)
    data = json.loads((tmp_path / "rec" / "recording.json").read_text(encoding="utf-8"))
    assert data["settings"]["max_size"] == [640, 360]
    assert (data["sources"]["screen"]["width"], data["sources"]["screen"]["height"]) == (640, 360)


def test_the_frame_grabbed_after_the_last_slot_is_not_a_dropped_frame():
    """The fps filter's own lines (ffmpeg 9, x11grab stopped by -t 4 between two slots)."""
    counts = FpsCounts()
    for slot in range(121):
        counts.feed(f"Writing frame with pts {slot} to pts {slot}")
    counts.feed("Dropping frame with pts 121")
    assert counts.dropped == 1  # live: not known yet to be past the end
    counts.feed("122 frames in, 121 frames out; 1 frames dropped, 0 frames duplicated.")
    assert (counts.dropped, counts.duplicated) == (0, 0)


def test_frames_dropped_and_repeated_mid_segment_are_counted():
    counts = FpsCounts()
    counts.feed("Writing frame with pts 0 to pts 0")
    counts.feed("Dropping frame with pts 1")  # two frames came for slot 1 ...
    counts.feed("Writing frame with pts 1 to pts 1")
    counts.feed("Writing frame with pts 1 to pts 2")  # ... then none for slot 2
    counts.feed("Writing frame with pts 3 to pts 3")
    assert (counts.dropped, counts.duplicated) == (1, 1)
    counts.feed("5 frames in, 4 frames out; 1 frames dropped, 1 frames duplicated.")
    assert (counts.dropped, counts.duplicated) == (1, 1)


# --- a resume that fails (real window on Xvfb, real recorder) ------------------------------


@pytest.mark.slow
def test_a_resume_that_fails_leaves_the_recording_paused_and_intact(
    capture_env, tmp_path, play, tone
):
    from studio.capture import ResumeError
    from tests.studio.x11 import XWindow

    if shutil.which("xwininfo") is None:
        pytest.skip("xwininfo is not installed (apt-get install x11-utils)")
    window = XWindow(capture_env["DISPLAY"], "Lectern Resume Test", 40, 60, 320, 240)
    folder = tmp_path / "rec"
    try:
        recorder = Recorder(
            folder, RecordingSettings(screen="window:Lectern Resume Test", mic="default", fps=FPS)
        )
    except BaseException:
        window.close()
        raise
    play(tone)
    recorder.start()
    try:
        assert wait_for(lambda: recorder.stats().video["screen"].frames >= 2 * FPS, 30)
        recorder.pause()
        paused = json.loads((folder / "recording.json").read_text())
        files = sorted(p.name for p in folder.iterdir())
        window.close()  # the recorded window goes away during the pause
        with pytest.raises(ResumeError, match="still paused") as caught:
            recorder.resume()
        assert "Lectern Resume Test" in str(caught.value)
        assert recorder.stats().paused
        now = json.loads((folder / "recording.json").read_text())
        assert now["segments"] == paused["segments"] and now["pauses"] == paused["pauses"]
        assert sorted(p.name for p in folder.iterdir()) == files  # no half-begun segment
        with pytest.raises(ResumeError):  # trying again changes nothing either
            recorder.resume()
    finally:
        finished = recorder.stop()

    data = json.loads((folder / "recording.json").read_text())
    assert data["segments"] == paused["segments"]  # the segment before the pause is intact
    segment = data["segments"][0]
    assert segment["screen"]["frames"] >= 2 * FPS
    assert abs(segment["screen"]["frames"] - frames(folder / "screen-000.mkv")) <= 1
    length = segment["screen"]["frames"] / FPS
    assert abs(finished.duration - length) <= 1 / FPS and not data["recovered"]
    assert abs(probe(finished.main).duration - length) < 0.1
    samples = audio_samples(finished.main)
    assert abs(len(samples) / SAMPLE_RATE - length) < 0.05  # no sound from the failed try
    assert any("could not resume" in event["text"] for event in data["events"])


# --- power cuts: every track file reaches the disk every second or two ----------------------


@pytest.mark.slow
def test_every_track_file_is_synced_to_the_disk_while_recording(capture_env, tmp_path, play, tone):
    """``strace`` sees the recorder fsync each track file again and again, not only at the end."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (apt-get install strace)")
    camera = tmp_path / "camera.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=30:d=30"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(camera)],
        check=True,
    )
    folder = tmp_path / "rec"
    log = tmp_path / "strace.log"
    play(tone)
    result = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=fsync", "-y", "-o", str(log)]
        + [sys.executable, "-m", "studio.cli", "record", str(folder), "-q"]
        + ["--screen", "region:0,0,320,180", "--camera", str(camera), "--duration", "5"],
        capture_output=True,
        text=True,
        env=capture_env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    if "ptrace" in result.stderr or "Operation not permitted" in result.stderr:
        pytest.skip(f"strace cannot trace here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    synced: dict[str, int] = {}
    for line in log.read_text().splitlines():
        if "fsync(" in line and line.rstrip().endswith("= 0"):
            name = Path(line.split("<", 1)[1].split(">", 1)[0]).name
            synced[name] = synced.get(name, 0) + 1
    for track in ("screen-000.mkv", "camera-000.mkv", "mic.pcm", "mic.log"):
        # A 5 s recording synced every second: several times, so while it was written.
        assert synced.get(track, 0) >= 3, (track, synced)
