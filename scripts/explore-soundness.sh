#!/usr/bin/env bash
# Runs every soundness law and theorem (every pinned FsCheck property of the test project) again and again with fresh
# random seeds for SECONDS seconds, printing each seed used and every failing one. A failing seed is a counterexample to
# pin as a regression test (Replay = "(seed,gamma)" on the property, or a case in RoundingRegressionTests).
#   scripts/explore-soundness.sh 900            # 15 minutes
#   LOG=explore.log scripts/explore-soundness.sh 60
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:?usage: scripts/explore-soundness.sh SECONDS}"
log="${LOG:-$PWD/TestResults/explore-soundness.log}"
mkdir -p "$(dirname "$log")"
: > "$log"
export CERTIFY_EXPLORE_SECONDS="$seconds" CERTIFY_EXPLORE_LOG="$log" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "explore: $seconds s of fresh seeds; log $log"
tail -n +1 -f "$log" &
tailer=$!
dotnet test Properties/Certify.Functional.Properties -c Release --filter "FullyQualifiedName~SoundnessExploration" \
  --logger "console;verbosity=minimal" > "${log%.log}.dotnet-test.txt" 2>&1
rc=$?
sleep 1; kill "$tailer" 2>/dev/null
echo "explore: dotnet test exit $rc (details: ${log%.log}.dotnet-test.txt)"
grep -c " ok$" "$log" | sed 's/^/explore: property runs passed: /'
grep "FAILING SEED" "$log" || echo "explore: no failing seed"
exit "$rc"
