#!/usr/bin/env bash
# Makes packages/model-silero-vad/test/speech-with-pauses.wav (16 kHz mono 16-bit) and its truth file
# speech-with-pauses.truth.json: three espeak-ng phrases, each trimmed of its own leading/trailing silence,
# separated by digital silences of known length. Needs espeak-ng and sox (Debian: apt-get install -y espeak-ng sox).
# Only for (re)making the committed fixture; tests never run it.
set -euo pipefail
out_dir="$(cd "$(dirname "$0")/.." && pwd)/packages/model-silero-vad/test"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

phrases=(
  "Switchyard routes every request to the right engine"
  "Voice activity detection finds the speech"
  "The quick brown fox jumps over the lazy dog"
)
# Silence before phrase 1, between the phrases, and after the last one (seconds).
silences=(0.50 0.80 1.20 0.60)

silence() { sox -n -r 16000 -c 1 -b 16 "$2" trim 0 "$1"; }

parts=()
silence "${silences[0]}" "$work/s0.wav"
parts+=("$work/s0.wav")
for i in "${!phrases[@]}"; do
  espeak-ng -v en-us -s 150 -w "$work/raw$i.wav" "${phrases[$i]}"
  # Resample to 16 kHz mono, then trim leading and trailing silence (below 1% amplitude).
  sox "$work/raw$i.wav" -r 16000 -c 1 -b 16 "$work/p$i.wav" \
    silence 1 0.005 1% reverse silence 1 0.005 1% reverse
  parts+=("$work/p$i.wav")
  silence "${silences[$((i + 1))]}" "$work/s$((i + 1)).wav"
  parts+=("$work/s$((i + 1)).wav")
done
sox "${parts[@]}" -r 16000 -c 1 -b 16 "$out_dir/speech-with-pauses.wav"

# Truth: speech spans from the sample counts of the pieces.
t=0
json='{"sample_rate":16000,"source":"scripts/make-vad-fixture.sh","speech":['
sep=''
t=$(soxi -s "$work/s0.wav")
for i in "${!phrases[@]}"; do
  n=$(soxi -s "$work/p$i.wav")
  start_ms=$(( t * 1000 / 16000 )); end_ms=$(( (t + n) * 1000 / 16000 ))
  json+="$sep{\"start_ms\":$start_ms,\"end_ms\":$end_ms,\"text\":\"${phrases[$i]}\"}"
  sep=','
  t=$(( t + n + $(soxi -s "$work/s$((i + 1)).wav") ))
done
json+="],\"duration_ms\":$(( t * 1000 / 16000 ))}"
echo "$json" > "$out_dir/speech-with-pauses.truth.json"
echo "wrote $out_dir/speech-with-pauses.wav ($(stat -c %s "$out_dir/speech-with-pauses.wav") bytes)"
cat "$out_dir/speech-with-pauses.truth.json"
