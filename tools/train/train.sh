#!/usr/bin/env bash
# tools/train/train.sh - `make train`: synthetic traffic -> labels -> features -> model + card.
#
# Every step is the real thing: bidload synthesises the requests (seeded), label.py applies the
# hidden ground truth (and stamps each request with the time it was "seen"), the serving code's
# own extractor (bidgate-extract: extract.c + the compiled feature spec) turns them into rows,
# and fit.py trains XGBoost and writes model.json, CARD.md, pr.png, serving.json and the
# held-out rows into the model's folder.
#
# Usage: train.sh --bidload BIN --extract BIN --requests N --seed S --bidders LIST
#                 --work DIR --out DIR --name NAME [--rounds N]
set -euo pipefail

rounds=400
while [ $# -gt 0 ]; do
  case $1 in
    --bidload) bidload=$2 ;;
    --extract) extract=$2 ;;
    --requests) requests=$2 ;;
    --seed) seed=$2 ;;
    --bidders) bidders=$2 ;;
    --work) work=$2 ;;
    --out) out=$2 ;;
    --name) name=$2 ;;
    --rounds) rounds=$2 ;;
    *) echo "train.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mkdir -p "$work" "$out"

echo "train: $requests synthetic requests (bidload --dump, seed $seed)" >&2
"$bidload" --dump "$requests" --seed "$seed" > "$work/requests.raw.jsonl"
echo "train: labels from the hidden ground truth (tools/train/label.py)" >&2
"$py" "$here/label.py" --bidders "$bidders" --seed "$seed" --stamp "$work/requests.jsonl" \
  < "$work/requests.raw.jsonl" > "$work/labels.txt"
echo "train: features from the serving code ($extract)" >&2
"$extract" --bidders "$bidders" --header < "$work/requests.jsonl" > "$work/features.csv"
echo "train: XGBoost (tools/train/fit.py)" >&2
"$py" "$here/fit.py" --features "$work/features.csv" --labels "$work/labels.txt" --out "$out" \
  --name "$name" --seed "$seed" --rounds "$rounds"
echo "train: wrote $out/model.json, CARD.md, pr.png, serving.json; next: make model MODEL=$name" >&2
