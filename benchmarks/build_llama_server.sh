#!/usr/bin/env bash
# Build llama.cpp's own OpenAI-compatible server (llama-server: parallel slots, continuous batching) from the
# llama.cpp that the installed llama-cpp-python vendors, so the server and the in-process llama.cpp backend run
# the same ggml. For benchmarks/openai_speed.py; the tests use llama-cpp-python's server and need none of this.
# About 8 minutes on 2 cores. Prints the binary's path; use it as --llama-server PATH or $PRETTY_LLAMA_SERVER.
set -euo pipefail
version=$(python -c 'import importlib.metadata as m; print(m.version("llama_cpp_python"))')
work=${1:-${TMPDIR:-/tmp}/llama-server-$version}
mkdir -p "$work"
cd "$work"
if [ ! -d "llama_cpp_python-$version" ]; then
    python -m pip download --no-deps --no-binary :all: -d . "llama-cpp-python==$version" >&2
    tar xzf "llama_cpp_python-$version.tar.gz"
fi
cd "llama_cpp_python-$version/vendor/llama.cpp"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DBUILD_SHARED_LIBS=OFF >&2
cmake --build build --target llama-server -j "$(nproc)" >&2
echo "$PWD/build/bin/llama-server"
