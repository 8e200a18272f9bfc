#!/usr/bin/env bash
# Runs a command against a real Secret Service: a private D-Bus session with an unlocked
# gnome-keyring in a throw-away HOME, so tests never touch the user's own keychain.
set -euo pipefail
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "with-keychain: $tool is missing; install the test dependencies (scripts/install-test-deps)" >&2
    exit 1
  fi
done
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export KEYCHAIN_TEST_HOME="$keyring_home"
# npm's own settings stay with the real HOME; only the keyring moves.
exec env HOME="$keyring_home" XDG_DATA_HOME="$keyring_home/.local/share" \
  dbus-run-session -- bash -c '
    echo -n test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"' with-keychain "$@"
