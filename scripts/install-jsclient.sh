#!/usr/bin/env bash
# Installs the real LangChain.js RemoteRunnable client into .cache/jsclient.
# @langchain/core 0.3.x is the last line that ships RemoteRunnable (1.x
# removed it); 0.3.80 is the version the golden client transcripts used.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/jsclient
want=0.3.80
have=$(node -p "require('./$dir/node_modules/@langchain/core/package.json').version" 2>/dev/null || true)
if [ "$have" = "$want" ]; then
	echo "@langchain/core $want already installed in $dir"
	exit 0
fi
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || printf '{"name":"jsclient","private":true,"type":"module"}\n' > package.json
npm install --no-audit --no-fund --loglevel=error "@langchain/core@$want"
echo "installed @langchain/core $want in $dir"
