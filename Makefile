# Lectern: `make run` and `make test` are the whole set-up; both call `make setup`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian/Ubuntu packages the apps and the tests use: ffmpeg for media; espeak-ng and sox
# to speak and measure test sound; fonts for generated slides; PortAudio for the mic;
# the X11/xcb libraries Qt needs for real windows; Xvfb, xdotool and a PulseAudio
# server so tests run a real screen and a real (virtual) microphone; xrandr to list the
# monitors; openbox to test window capture under a window manager; strace to see the
# recorder fsync its tracks. Wayland: GStreamer's PipeWire source records the screen-cast
# portal's stream; sway, XWayland, PipeWire, WirePlumber, the portal with its wlroots
# backend, swaybg and grim make the headless Wayland desktop the tests record; chromium and
# its chromedriver test the web export as a learning platform runs it.
# libxcb-composite0: the source picker reads a covered window's own picture.
# trayer: a real system tray (XEmbed) for the recording's tray icon test.
# binutils: PyInstaller reads the libraries' dependencies with objdump; the bundle is
# stripped of debug sections with strip. shared-mime-info and desktop-file-utils: the
# .deb's maintainer scripts register the MIME type and desktop entries (tested).
APT_PACKAGES := ffmpeg espeak-ng sox fonts-dejavu-core libportaudio2 \
  xvfb xdotool x11-utils pulseaudio pulseaudio-utils libasound2-plugins \
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
  libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libegl1 libgl1 \
  libpulse0 libxkbcommon0 libdbus-1-3 libfontconfig1 strace x11-xserver-utils openbox \
  gstreamer1.0-tools gstreamer1.0-pipewire gstreamer1.0-plugins-base \
  sway xwayland swaybg grim pipewire wireplumber xdg-desktop-portal xdg-desktop-portal-wlr \
  dbus-user-session libxcb-composite0 trayer \
  chromium chromium-driver binutils shared-mime-info desktop-file-utils
OUT := out
SAMPLE_COURSE := $(OUT)/Introduction to Earth Science

.PHONY: setup run test lint bench clean

setup: $(STAMP)
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Lectern needs these system packages. Run:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@if ! $(PYTHON) -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null; \
	  else \
	    echo "Lectern needs Python 3.10 or newer with venv. Run:"; \
	    echo "  sudo apt-get install -y python3 python3-venv"; \
	    exit 1; \
	  fi; \
	fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Lectern and its Python dependencies into $(VENV) ..."
	@$(BIN)/python -m pip install -q --upgrade pip
	@# dev: the test tools; installer: PyInstaller, which the bundle tests build with.
	@$(BIN)/python -m pip install -q -e '.[dev,installer]'
	@# OCR for slide text, without the GUI OpenCV it names (see pyproject.toml).
	@$(BIN)/python -m pip install -q --no-deps rapidocr-onnxruntime==1.4.4
	@# The openai-whisper engine, so its tests run for real. torch comes first and pinned: this
	@# release is a CPU build (about 750 MB); an unpinned torch would pull a multi-GB CUDA build.
	@$(BIN)/python -m pip install -q torch==2.13.0
	@$(BIN)/python -m pip install -q -e '.[openai-whisper]'
	@# The LRS the sync tests talk to (Ralph, PyPI) pins its own click: its own venv, cached
	@# under ~/.cache/lectern-ralph-venv-<version> (tests/lrs.py builds it if this did not).
	@$(BIN)/python -c 'from tests.lrs import ralph_venv; ralph_venv()'
	@touch $(STAMP)

run: setup
	$(BIN)/lectern-studio build resources/sample/lecture.mp4 -o "$(SAMPLE_COURSE)/water-cycle" --force
	$(BIN)/lectern-studio package "$(SAMPLE_COURSE)/water-cycle" -o $(OUT)/sample-course.lectern \
	  --title "Introduction to Earth Science" --author "Lectern Sample Lectures" --id lectern-sample-earth-science
	$(BIN)/lectern-player info $(OUT)/sample-course.lectern
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "Opening Lectern Studio on the sample course and Lectern Player on its package ..."; \
	  $(BIN)/lectern-studio --course "$(SAMPLE_COURSE)" & studio=$$!; \
	  $(BIN)/lectern-player $(OUT)/sample-course.lectern; \
	  wait $$studio; \
	else \
	  echo; echo "No screen here. On a desktop:"; \
	  echo "  $(BIN)/lectern-player $(OUT)/sample-course.lectern"; \
	  echo "  $(BIN)/lectern-studio --course \"$(SAMPLE_COURSE)\""; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest -q --durations=15

bench: setup
	@# PySceneDetect, a chapter baseline, names the GUI OpenCV that clashes with PySide6.
	@$(BIN)/python -m pip install -q --no-deps scenedetect==0.7.2
	$(BIN)/python bench/bench_transcription.py
	$(BIN)/python bench/bench_speech_models.py
	$(BIN)/python bench/bench_chapters.py
	$(BIN)/python bench/bench_package.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_av_sync.py
	$(BIN)/python bench/bench_recording.py
	$(BIN)/python bench/bench_screen_backends.py
	$(BIN)/python bench/bench_crash.py
	$(BIN)/python bench/bench_hostile.py
	$(BIN)/python bench/bench_reliability.py
	$(BIN)/python bench/bench_signing.py
	$(BIN)/python bench/bench_batch.py
	$(BIN)/python bench/bench_web_export.py
	$(BIN)/python bench/bench_bundle_size.py

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache

# The offline bundle: dist/lectern/ holds lectern-studio (and lectern-player, a symlink
# to it) with the Whisper model, ffmpeg and every library inside (build_installer.spec;
# docs/installer.md). It ends with the smoke test on the folder it has just built, in a
# clean environment (env -i: no .venv, no PATH, no system ffmpeg). `make test` builds
# the same bundle itself, cached in ~/.cache/lectern-bundle (tests/bundle.py).
.PHONY: installer installer-packages

installer: setup
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
	  build_installer.spec
	@echo "Built $$(cat dist/lectern/VERSION) in dist/lectern/ ($$(du -sh dist/lectern | cut -f1))"
	LECTERN_BUNDLE=dist/lectern $(BIN)/pytest -q -p no:cacheprovider tests/test_bundle_smoke.py

# The bundle as a .tar.gz with install.sh and as a .deb (installer/package-bundle.sh),
# each then installed, run with a clean environment and uninstalled.
installer-packages: installer
	sh installer/package-bundle.sh dist/lectern dist/packages
	LECTERN_BUNDLE=dist/lectern $(BIN)/pytest -q -p no:cacheprovider tests/test_bundle_packages.py
