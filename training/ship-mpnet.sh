#!/usr/bin/env bash
# The name training/ship.sh had when it shipped only MPNet (models/ft-mpnet/ship.json records it).
exec "$(dirname "${BASH_SOURCE[0]}")/ship.sh" "$@"
