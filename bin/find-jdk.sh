# Sourced by the project's scripts: finds a JDK 21+ and exports JAVA_HOME, or explains what to
# install and exits.
#
# Search order: $JAVA_HOME, `javac` on PATH, then the usual install places
# (/usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman, ~/.jdks, /Library/Java/JavaVirtualMachines).

min_major=21

java_major() { # prints the feature version of the JDK at $1, or nothing
  local release="$1/release" v
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  fi
  echo "$v"
}

find_jdk() {
  local candidates=() c v best="" best_v=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in /usr/lib/jvm/* /usr/java/* /opt/java/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    v=$(java_major "$c")
    # A JAVA_HOME or PATH JDK that is new enough wins; otherwise take the newest found.
    if [ -n "$v" ] && [ "$v" -ge "$min_major" ]; then
      if [ "$c" = "${JAVA_HOME:-}" ]; then best="$c"; break; fi
      if [ "$v" -gt "$best_v" ]; then best="$c"; best_v="$v"; fi
    fi
  done
  echo "$best"
}

jdk=$(find_jdk)
if [ -z "$jdk" ]; then
  cat >&2 <<MSG
datastorage needs a JDK $min_major or newer, and none was found
(looked at JAVA_HOME, PATH, /usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman, ~/.jdks).
Install one, for example:
  Debian/Ubuntu:  sudo apt-get install openjdk-21-jdk   (or Temurin 21+ from adoptium.net)
  macOS:          brew install openjdk@21
  SDKMAN:         sdk install java 21-tem
or point JAVA_HOME at an installed JDK $min_major+.
MSG
  exit 1
fi
export JAVA_HOME="$jdk"
