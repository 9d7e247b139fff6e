#!/usr/bin/env bash
# Wraps runtime/target/dbx as a jpackage app-image with a trimmed, CDS-enabled Java runtime:
# runtime/target/native/dbx/bin/dbx. Called by `mvn -Pnative package` (runtime module).
set -euo pipefail
target=$1
version=$2
dist="$target/dbx"
out="$target/native"
# jpackage wants a purely numeric version.
app_version=$(printf '%s' "$version" | sed -E 's/[^0-9.].*$//')

rm -rf "$out"
mkdir -p "$out"
# JDK 17's jpackage has no --app-content: pass only lib/ as input, copy bundle/ and features/ afterwards.
jpackage --type app-image --name dbx --dest "$out" \
  --input "$dist/lib" \
  --main-jar "eventdbx-runtime-$version.jar" \
  --main-class io.eventdbx.launcher.Main \
  --app-version "$app_version" \
  --add-modules java.base,java.desktop,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.unsupported,jdk.naming.dns \
  --jlink-options "--strip-debug --no-man-pages --no-header-files --generate-cds-archive" \
  --java-options '-Ddbx.home=$APPDIR/dist' \
  --java-options '-XX:TieredStopAtLevel=1' \
  --java-options '-XX:+UseSerialGC'
mkdir -p "$out/dbx/lib/app/dist"
cp -r "$dist/bundle" "$dist/features" "$out/dbx/lib/app/dist/"
echo "native image: $out/dbx/bin/dbx"
