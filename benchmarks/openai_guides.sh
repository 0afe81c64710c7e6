#!/usr/bin/env bash
# Guides through a server: the openai backend on llama.cpp's llama-server (16 slots, one KV pool), muse-dict prior,
# 100 Flores dev lines, en-de and en-fr, --guide none vs --guide reprime (the guide a server can run), with 0 and
# 2 demonstrations. Prints time, chrF and the target-language rate of each; results/openai_guides.md has a run.
# Needs llama-server: PRETTY_LLAMA_SERVER=PATH (benchmarks/build_llama_server.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
server=${PRETTY_LLAMA_SERVER:?set PRETTY_LLAMA_SERVER to llama-server (benchmarks/build_llama_server.sh)}
gguf=$(python -c 'from pretty_framework.api import gguf_file; print(gguf_file("gemma3-270m")[1])')
port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
out=$(mktemp -d)
"$server" -m "$gguf" --alias gemma3-270m --host 127.0.0.1 --port "$port" -np 16 -c 32768 -kvu -t 2 --no-webui \
    > "$out/server.log" 2>&1 &
trap 'kill $!' EXIT
sleep 8
for shots in 0 2; do
  for pair in en-de en-fr; do
    for guide in none reprime; do
      start=$(date +%s.%N)
      pretty decode --backend openai --base-url "http://127.0.0.1:$port/v1" -m gemma3-270m \
          --flores ../shared/data/flores --split dev --limit 100 --src "${pair%-*}" --tgt "${pair#*-}" -p muse-dict \
          --shots "$shots" --guide "$guide" -o "$out/$pair-$shots-$guide.jsonl" --force --no-progress 2>/dev/null
      seconds=$(python -c "import time; print(round(time.time() - $start, 1))")
      scores=$(pretty eval "$out/$pair-$shots-$guide.jsonl" -M chrf -M langid --bootstrap 0 2>/dev/null \
               | awk '/^chrF|^target-lang/ {printf "%s %s  ", $1, $3}')
      echo "shots $shots | $pair | guide $guide | ${seconds} s | $scores"
    done
  done
done
