#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image
# (Ubuntu). It installs the system packages the grader needs, Node.js >= 20.19
# when the image has no such Node, and the grader itself from the tarball
# shipped beside this script. It ends with `chatgrade doctor`, so a machine
# that cannot grade fails here, at upload time, and not on every submission.
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
# Node's current LTS line; any major >= 20 with minor >= 19 on 20 works.
NODE_MAJOR="${CHATGRADE_NODE_MAJOR:-22}"
export DEBIAN_FRONTEND=noninteractive

say() { echo "setup.sh: $*"; }

node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}

say "system packages: xvfb (virtual display), python3-tk (tkinter), bubblewrap (sandbox), python3-seccomp (its seccomp filter)"
apt-get update -qq
apt-get install -y -qq --no-install-recommends ca-certificates curl xz-utils python3 python3-tk xvfb bubblewrap python3-seccomp

if node_ok; then
  say "using node $(node --version) at $(command -v node)"
else
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) say "no Node.js build for $(uname -m)"; exit 1 ;;
  esac
  # The official build from nodejs.org, checked against its published SHA-256.
  base="https://nodejs.org/dist/latest-v${NODE_MAJOR}.x"
  tmp="$(mktemp -d)"
  curl -fsSL --retry 3 "$base/SHASUMS256.txt" -o "$tmp/SHASUMS256.txt"
  file="$(grep -o "node-v[0-9.]*-linux-$arch\.tar\.xz" "$tmp/SHASUMS256.txt" | head -n 1)"
  say "installing $file into /usr/local"
  curl -fsSL --retry 3 "$base/$file" -o "$tmp/$file"
  (cd "$tmp" && grep " $file\$" SHASUMS256.txt | sha256sum -c --quiet -)
  tar -xJf "$tmp/$file" -C /usr/local --strip-components=1 --no-same-owner
  rm -rf "$tmp"
  hash -r
  node_ok || { say "node $(node --version) is older than 20.19"; exit 1; }
fi

say "installing the grader from chatgrade.tgz into $ROOT/chatgrade"
mkdir -p "$ROOT/chatgrade"
npm install --prefix "$ROOT/chatgrade" --omit=dev --no-audit --no-fund --loglevel=error "$SOURCE/chatgrade.tgz"
"$ROOT/chatgrade/node_modules/.bin/chatgrade" --version
"$ROOT/chatgrade/node_modules/.bin/chatgrade" doctor
