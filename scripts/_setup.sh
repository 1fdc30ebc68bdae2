# Shared by scripts/run and scripts/test: Debian packages and the project's virtualenv.
# Sourced, not run.

# Libraries Qt needs to draw (on screen or off screen) and a font to draw text with.
QT_DEBS=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
  libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libxcb-xkb1 fonts-dejavu-core)

# The system Tesseract: the OCR engine where no tesserocr wheel installs (macOS); the tests read
# scans with it too, so that path is tested wherever they run.
OCR_DEBS=(tesseract-ocr)

# The PostgreSQL server the tests start (scripts/pg-server); its extensions (unaccent) come with it.
SERVER_DEBS=(postgresql)

install_debs() {
  command -v dpkg-query >/dev/null 2>&1 || return 0  # not Debian/Ubuntu: the desktop has them
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "Installing Debian packages: ${missing[*]}" >&2
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

make_venv() {
  local venv=$1
  if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
  fi
}

# Install the checkout into the virtualenv, editable, so a change to the code needs no new
# install. Only a change to pyproject.toml (dependencies, packages, entry points) or to the
# Python does: a stamp in the virtualenv remembers what the last install was made from.
install_checkout() {
  local venv=$1 extras=${2-}
  local stamp=$venv/.claimdesk-install
  local wanted
  wanted="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$venv/bin/python" -V 2>&1) [$extras]"
  if [[ -x $venv/bin/claimdesk && -f $stamp && $(<"$stamp") == "$wanted" ]]; then
    return 0
  fi
  echo "Installing ClaimDesk into $venv (pyproject.toml changed or first start)…" >&2
  local log=$venv/install.log
  if ! "$venv/bin/python" -m pip install -q -e ".$extras" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "The install failed; the whole log is in $log" >&2
    return 1
  fi
  echo "$wanted" >"$stamp"
}
